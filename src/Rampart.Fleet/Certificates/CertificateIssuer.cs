using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Audit;
using Rampart.Pki.Authority;
using Rampart.Pki.Profiles;

namespace Rampart.Fleet.Certificates;

/// <summary>
/// Runs a profile over a proven request, signs, and records the certificate. Separate steps so a
/// single-use credential is spent only on a request the profile accepted, and so signing (CPU work)
/// happens on the caller's thread while only the record joins the audited transaction.
/// </summary>
public sealed class CertificateIssuer(CertificateAuthority authority, ICertificateStore certificates, TimeProvider time)
{
    // The CA certificates change only with a live issuing CA rollover (the authority's generation):
    // copied once per generation instead of per request. A replaced collection is left to the GC, as a
    // request may still be writing it out.
    private volatile Tuple<int, X509Certificate2Collection>? _chain;

    /// <summary>The CA's chain (issuing, root); shared, do not dispose.</summary>
    public X509Certificate2Collection Chain
    {
        get
        {
            var generation = authority.Generation;
            if (_chain is { } cached && cached.Item1 == generation)
            {
                return cached.Item2;
            }

            var chain = Tuple.Create(generation, authority.Chain);
            _chain = chain;
            return chain.Item2;
        }
    }

    /// <summary>The CA itself, for checks that need its certificates.</summary>
    public CertificateAuthority Authority => authority;

    /// <summary>Step 1: the profile's checks and the template, or the refusal.</summary>
    public ValueTask<(CertificateTemplate? Template, CsrRefusal? Refusal)> PrepareAsync(
        CertificateProfile profile, string subject, CertificateRequest request, CancellationToken cancellationToken) =>
        profile.BuildAsync(new CsrContext(request, subject, time.GetUtcNow()), cancellationToken);

    /// <summary>Step 2: sign. Nothing is recorded yet; a certificate that is never recorded is never handed out.</summary>
    public (IssuedCertificate Record, X509Certificate2 Certificate) Sign(CertificateProfile profile, string subject, CertificateTemplate template)
    {
        var certificate = authority.Issue(template);
        var record = new IssuedCertificate(
            certificate.SerialNumber,
            profile.Name,
            subject,
            KeyFingerprint.Of(certificate),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime()),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
            false,
            null,
            null,
            certificate.RawData);
        return (record, certificate);
    }

    /// <summary>
    /// Step 3, inside the audited transaction: record it, unless another subject got a certificate for
    /// the same key since step 1 (the profile's check, repeated where nothing can slip between).
    /// Returns that other holder, or null when recorded.
    /// </summary>
    public async Task<string?> TryRecordAsync(IStoreTransaction transaction, IssuedCertificate record, CancellationToken cancellationToken)
    {
        if (await certificates.FindOtherKeyHolderAsync(transaction, record.KeyFingerprint, record.Profile, record.Subject, cancellationToken) is { } holder)
        {
            return holder;
        }

        await certificates.AddAsync(transaction, record, cancellationToken);
        return null;
    }

    /// <summary>Sign and record outside the audit log: only for the node's own server certificate at start.</summary>
    public async Task<(IssuedCertificate Record, X509Certificate2 Certificate)> SignAsync(
        CertificateProfile profile, string subject, CertificateTemplate template, CancellationToken cancellationToken)
    {
        var (record, certificate) = Sign(profile, subject, template);
        await certificates.AddAsync(record, cancellationToken);
        return (record, certificate);
    }

    /// <summary>Who else holds this key, for <see cref="KeyNotHeldByAnotherSubjectValidator"/>.</summary>
    public Func<string, string, CancellationToken, ValueTask<string?>> KeyHolderLookup(string profile) =>
        async (fingerprint, subject, cancellationToken) => await certificates.FindOtherKeyHolderAsync(fingerprint, profile, subject, cancellationToken);
}
