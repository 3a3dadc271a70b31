using System.Security.Cryptography.X509Certificates;
using Rampart.Device.Identity;

namespace Rampart.Device.Enrollment;

/// <summary>
/// Renews the device certificate inside the node's renewal window (the last third of its validity by
/// default) at a point chosen at random within the window's first tenth, so a fleet enrolled on one day
/// does not renew in one minute. Stage, switch, fall back: the new certificate replaces the stored one
/// only after <c>probe</c> proved it works (a connection to the gateway); until then the old one stays.
/// A store that makes its own next key (<see cref="INextKeyStore"/>, a TPM) is renewed with that key, never
/// with a software one: the key of a TPM-keyed device stays in the TPM across renewals.
/// With <c>followIssuingCa</c> (the default) a certificate is also due at once when the node's issuing
/// CA (EST <c>cacerts</c>) is no longer the one that issued it: after an issuing CA rollover the fleet
/// moves to the new CA within one check interval, long before the old CA's overlap ends.
/// </summary>
public sealed class CertificateRenewal(EstClient est, IKeyStore store, TimeProvider time, double windowFraction = 1.0 / 3, bool followIssuingCa = true)
{
    private readonly double _jitter = Random.Shared.NextDouble() * 0.1;

    /// <summary>When this device will try to renew <paramref name="certificate"/>.</summary>
    public DateTimeOffset DueAt(X509Certificate2 certificate)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var window = (notAfter - notBefore) * windowFraction;
        return notAfter - window + (window * _jitter);
    }

    /// <summary>
    /// Renews when due; returns the new certificate once stored, or null when not due yet. When the
    /// probe fails the old certificate stays in the store and the new one is discarded.
    /// </summary>
    public async Task<X509Certificate2?> RenewIfDueAsync(X509Certificate2 current, Func<X509Certificate2, Task<bool>> probe, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < DueAt(current) && !await IssuerReplacedAsync(current, cancellationToken))
        {
            return null;
        }

        if (store is INextKeyStore own)
        {
            return await RenewWithStoreKeyAsync(own, current, probe, cancellationToken);
        }

        var staged = await est.ReenrollAsync(current, cancellationToken);
        if (!await probe(staged))
        {
            staged.Dispose();
            return null;
        }

        await store.SaveAsync(staged, cancellationToken);
        return staged;
    }

    /// <summary>True when the node now issues from another issuing CA than the one that issued <paramref name="current"/> (a rollover); false when unknown.</summary>
    public async Task<bool> IssuerReplacedAsync(X509Certificate2 current, CancellationToken cancellationToken)
    {
        if (!followIssuingCa)
        {
            return false;
        }

        try
        {
            using var issuing = await est.GetIssuingCaAsync(cancellationToken);
            return !issuing.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData);
        }
        catch (Exception exception) when (exception is EstException or HttpRequestException or IOException
            or System.Security.Authentication.AuthenticationException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Node unreachable or its answer unusable: the time window alone decides this check.
            return false;
        }
    }

    // RFC 7030 §4.2.2: simplereenroll is authenticated by the current certificate and key (the TLS client
    // certificate) and carries a CSR for the next key, which the store made; the store swaps only after the probe.
    private async Task<X509Certificate2?> RenewWithStoreKeyAsync(INextKeyStore own, X509Certificate2 current, Func<X509Certificate2, Task<bool>> probe, CancellationToken cancellationToken)
    {
        using var currentKey = current.GetECDsaPrivateKey()
            ?? throw new ArgumentException("the current certificate has no ECDSA private key; pass the one the store loaded", nameof(current));
        var swapped = false;
        try
        {
            using var nextKey = await own.CreateNextKeyAsync(cancellationToken);
            using var staged = await est.ReenrollAsync(current, currentKey, nextKey, cancellationToken);
            if (!await probe(staged))
            {
                return null;
            }

            await own.SwapToNextAsync(staged, cancellationToken);
            swapped = true;
        }
        finally
        {
            if (!swapped)
            {
                // Refused, unreachable or not proven: the next key goes, the current pair stays (not cancelled: it is cleanup).
                await own.DiscardNextKeyAsync(CancellationToken.None);
            }
        }

        // Loaded back, so the caller gets exactly what the store now holds: the new certificate with the key at the new handle.
        return await store.LoadAsync(cancellationToken) ?? throw new InvalidOperationException("the key store lost the renewed certificate");
    }

    /// <summary>
    /// Renews automatically for as long as the device runs: checks every <paramref name="every"/>, and
    /// after a renewal hands the new certificate to <paramref name="switchTo"/> (which points the MQTT
    /// client at it and reconnects). Errors (node unreachable, refused) are retried at the next check.
    /// </summary>
    public async Task RunAsync(
        Func<X509Certificate2> current, Func<X509Certificate2, Task<bool>> probe, Action<X509Certificate2> switchTo, TimeSpan every, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(every, time);
        try
        {
            do
            {
                try
                {
                    if (await RenewIfDueAsync(current(), probe, cancellationToken) is { } renewed)
                    {
                        switchTo(renewed);
                    }
                }
                catch (Exception exception) when (exception is EstException or HttpRequestException or IOException
                    or System.Security.Authentication.AuthenticationException or Identity.Tpm.TpmKeyStoreException)
                {
                    // Not renewed this time; the window is long and the next check tries again.
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The device is shutting down.
        }
    }
}
