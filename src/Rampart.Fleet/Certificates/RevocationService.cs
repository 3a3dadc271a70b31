using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Certificates;

/// <summary>
/// Revokes certificates: 1. mark them revoked, 2. audit each, 3. publish a new CRL, 4. tell the
/// rest of the node (the gateway ends live sessions), 5. record a security event.
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
            throw new FleetException(FleetErrorKind.Invalid, $"'{serial}' is not a certificate serial number (hex)");
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
        var now = time.GetUtcNow();
        var live = (await certificates.ListAsync(profile, subject, cancellationToken)).Where(c => !c.Revoked && c.NotAfter > now).ToArray();
        return live.Length == 0 ? [] : await RevokeAsync(live, reason, actor, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> RevokeAsync(IReadOnlyList<IssuedCertificate> targets, X509RevocationReason reason, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reasonName = RevocationReasons.NameOf(reason);
        var revoked = new List<IssuedCertificate>();
        foreach (var certificate in targets)
        {
            if (await certificates.TryRevokeAsync(certificate.Serial, now, reason, cancellationToken))
            {
                revoked.Add(certificate);
                await audit.AppendAsync(new AuditRecord(actor, "certificate.revoked", $"certificate/{certificate.Serial}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["profile"] = certificate.Profile, ["subject"] = certificate.Subject, ["reason"] = reasonName }), cancellationToken);
            }
        }

        if (revoked.Count == 0)
        {
            return [];
        }

        await crl.PublishAsync(cancellationToken);
        foreach (var certificate in revoked)
        {
            await stream.PublishAsync(new CertificateRevoked(now, certificate.Serial, certificate.Profile, certificate.Subject, reasonName), cancellationToken);
            await securityEvents.RecordAsync("certificate.revoked", SecuritySeverity.Warning,
                certificate.Profile == "device" ? certificate.Subject : null, null,
                new Dictionary<string, string> { ["serial"] = certificate.Serial, ["reason"] = reasonName, ["actor"] = actor, ["profile"] = certificate.Profile },
                cancellationToken);
        }

        return revoked.Select(c => c.Serial).ToArray();
    }
}
