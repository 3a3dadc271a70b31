using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;

namespace Rampart.Fleet.Enrollment;

/// <summary>
/// Renewal and rekey (RFC 7030 §4.2.2) with the device's current certificate, presented as the TLS
/// client certificate: issued by this CA, recorded, not revoked, not expired, and inside the
/// renewal window.
/// </summary>
public sealed class DeviceCertificateAuthorizer(
    CertificateAuthority authority,
    ICertificateStore certificates,
    IDeviceStore devices,
    TimeProvider time,
    IOptions<EnrollmentOptions> options) : IEnrollmentAuthorizer
{
    private readonly LiveCertificates _live = new(authority, certificates, time);

    /// <inheritdoc />
    public bool Handles(EstOperation operation, EstCredentials credentials) => operation == EstOperation.Reenroll;

    /// <inheritdoc />
    public async Task<(EnrollmentGrant? Grant, EnrollmentRefusal? Refusal)> AuthorizeAsync(
        EstOperation operation, EstCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.ClientCertificate is not { } presented)
        {
            return Refuse(EnrollmentRefusalKind.Unauthenticated, "no-certificate",
                "renewal needs the device's current certificate as the TLS client certificate");
        }

        // The same live-certificate check the MQTT gateway makes (chain, recorded bytes, revocation, validity, profile SAN).
        var live = await _live.CheckAsync(presented, chainVerified: false, cancellationToken);
        var record = live.Record;
        switch (live.Refusal)
        {
            case LiveCertificateRefusal.UnknownCa:
                return Refuse(EnrollmentRefusalKind.Unauthenticated, "foreign-certificate", "the client certificate was not issued by this Rampart CA");
            case LiveCertificateRefusal.Revoked:
                return Refuse(EnrollmentRefusalKind.Unauthenticated, "revoked", $"certificate {record!.Serial} was revoked", record.Subject);
            case LiveCertificateRefusal.Expired:
                return Refuse(EnrollmentRefusalKind.Unauthenticated, "expired",
                    $"{live.Message}; an expired certificate cannot renew: re-enroll with a new bootstrap token", record!.Subject);
            case not null:
                return Refuse(EnrollmentRefusalKind.Unauthenticated, "unknown-certificate", "the client certificate is not a device certificate this CA recorded");
        }

        if (record!.Profile != "device")
        {
            return Refuse(EnrollmentRefusalKind.Unauthenticated, "unknown-certificate", "the client certificate is not a device certificate this CA recorded");
        }

        var now = time.GetUtcNow();
        var lifetime = record.NotAfter - record.NotBefore;
        var opens = record.NotAfter - (lifetime * options.Value.RenewalWindowFraction);
        // A certificate of the issuing CA a rollover replaced may renew at once: devices move to the new CA during the overlap.
        if (now < opens && !authority.NamesPreviousIssuer(presented))
        {
            return Refuse(EnrollmentRefusalKind.Forbidden, "outside-renewal-window",
                $"renewal window is {opens:O} to {record.NotAfter:O} (the last {options.Value.RenewalWindowFraction:P0} of validity)", record.Subject);
        }

        var refusal = DeviceStates.RefuseUnlessEnrollable(await devices.GetAsync(record.Subject, cancellationToken), record.Subject, firstEnrollment: false);
        return refusal is not null
            ? (null, refusal)
            : (new EnrollmentGrant(record.Subject, "device-certificate", (transaction, commit) => StillLiveAsync(transaction, record, commit)), null);
    }

    // Checked again inside the renewal's transaction: a revocation (key compromise) that committed
    // between the check above and this transaction must not yield a fresh certificate.
    private async Task<bool> StillLiveAsync(IStoreTransaction transaction, IssuedCertificate record, CancellationToken cancellationToken)
    {
        var current = await certificates.ListAsync(transaction, record.Profile, record.Subject, cancellationToken);
        return current.Any(c => c.Serial == record.Serial && !c.Revoked && c.NotAfter > transaction.Now);
    }

    private static (EnrollmentGrant?, EnrollmentRefusal?) Refuse(EnrollmentRefusalKind kind, string code, string message, string? device = null) =>
        (null, new EnrollmentRefusal(kind, code, message, device));
}
