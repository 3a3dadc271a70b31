using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Certificates;

/// <summary>
/// Revokes certificates: 1. mark them revoked, 2. audit each and record its security event, in one
/// transaction; then 3. publish a new CRL, 4. tell the rest of the node (the gateway ends live
/// sessions), 5. publish the events live.
/// </summary>
public sealed class RevocationService(
    ICertificateStore certificates,
    CrlPublisher crl,
    IAuditLog audit,
    SecurityEvents securityEvents,
    FleetEventStream stream,
    TimeProvider time)
{
    /// <summary>Revokes one certificate by serial (hex, any case).</summary>
    public async Task<IReadOnlyList<string>> RevokeSerialAsync(string serial, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        var normalized = serial.Trim().Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (normalized.Length is 0 or > 40 || !normalized.All(Uri.IsHexDigit))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"'{Echo.Of(serial)}' is not a certificate serial number (hex)");
        }

        var certificate = await certificates.GetAsync(normalized, cancellationToken)
            ?? throw new FleetException(FleetErrorKind.NotFound, $"no certificate with serial {normalized} was issued by this CA");
        if (certificate.Revoked)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"certificate {normalized} was already revoked at {certificate.RevokedAt:O}");
        }

        return await RevokeAsync([certificate], reason, actor, cancellationToken);
    }

    /// <summary>Revokes every unexpired, unrevoked certificate of one subject (a device, a service).</summary>
    public async Task<IReadOnlyList<string>> RevokeSubjectAsync(string profile, string subject, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var batch = await RevokeSubjectAsync(transaction, profile, subject, reason, actor, commit);
            return batch.Revoked.Count == 0
                ? AuditedOutcome<RevocationBatch>.Nothing(batch)
                : AuditedOutcome<RevocationBatch>.Done(batch, batch.Records, batch.Events);
        }, cancellationToken);
        return await PublishAsync(outcome.Value);
    }

    /// <summary>
    /// Inside a caller's audited transaction (retirement): revokes the subject's live certificates,
    /// listed in the same transaction so none issued meanwhile escapes. The caller commits the
    /// batch's records and events, then calls <see cref="PublishAsync(RevocationBatch)"/>.
    /// </summary>
    public async Task<RevocationBatch> RevokeSubjectAsync(
        IStoreTransaction transaction, string profile, string subject, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        var live = (await certificates.ListAsync(transaction, profile, subject, cancellationToken)).Where(c => !c.Revoked && c.NotAfter > transaction.Now).ToArray();
        return await RevokeAsync(transaction, live, reason, actor, cancellationToken);
    }

    /// <summary>
    /// After the commit, live control and derived state: the gateway ends live sessions and the
    /// events go live first, then a new CRL (the node republishes on start if this fails or a crash
    /// comes first, see <see cref="CrlPublisher.PublishIfStaleAsync"/>). It runs to the end whatever
    /// the caller does: the revocation is durable, so its effects must not wait on a request that
    /// was abandoned. Returns the revoked serials.
    /// </summary>
    public async Task<IReadOnlyList<string>> PublishAsync(RevocationBatch batch)
    {
        if (batch.Revoked.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        foreach (var certificate in batch.Revoked)
        {
            await stream.PublishAsync(new CertificateRevoked(now, certificate.Serial, certificate.Profile, certificate.Subject, batch.Reason), CancellationToken.None);
        }

        await securityEvents.PublishCommittedAsync(batch.Events, CancellationToken.None);
        await crl.PublishAsync(CancellationToken.None);
        return batch.Revoked.Select(c => c.Serial).ToArray();
    }

    private async Task<IReadOnlyList<string>> RevokeAsync(IReadOnlyList<IssuedCertificate> targets, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var batch = await RevokeAsync(transaction, targets, reason, actor, commit);
            return batch.Revoked.Count == 0
                ? AuditedOutcome<RevocationBatch>.Nothing(batch)
                : AuditedOutcome<RevocationBatch>.Done(batch, batch.Records, batch.Events);
        }, cancellationToken);
        return await PublishAsync(outcome.Value);
    }

    private async Task<RevocationBatch> RevokeAsync(
        IStoreTransaction transaction, IReadOnlyList<IssuedCertificate> targets, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        // Each revocation with its audit entry and security event; one revoked meanwhile by someone else is skipped.
        var reasonName = RevocationReasons.NameOf(reason);
        var revoked = new List<IssuedCertificate>();
        var records = new List<AuditRecord>();
        var events = new List<SecurityEvent>();
        foreach (var certificate in targets)
        {
            if (!await certificates.TryRevokeAsync(transaction, certificate.Serial, transaction.Now, reason, cancellationToken))
            {
                continue;
            }

            revoked.Add(certificate);
            records.Add(new AuditRecord(actor, "certificate.revoked", $"certificate/{certificate.Serial}", AuditOutcome.Success,
                new Dictionary<string, string> { ["profile"] = certificate.Profile, ["subject"] = certificate.Subject, ["reason"] = reasonName }));
            events.Add(securityEvents.Create("certificate.revoked", SecuritySeverity.Warning,
                certificate.Profile == "device" ? certificate.Subject : null, null,
                new Dictionary<string, string> { ["serial"] = certificate.Serial, ["reason"] = reasonName, ["actor"] = actor, ["profile"] = certificate.Profile }));
        }

        return new RevocationBatch(revoked, records, events, reasonName);
    }
}
