using Microsoft.Extensions.Options;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;

namespace Rampart.Fleet.Enrollment;

/// <summary>
/// Renewal and rekey (RFC 7030 §4.2.2) with the device's current certificate, presented as the TLS
/// client certificate: issued by this CA, recorded, not revoked, not expired, and inside the
/// renewal window.
/// </summary>
public sealed class DeviceCertificateAuthorizer(
    ICertificateStore certificates,
    IDeviceStore devices,
    TimeProvider time,
    IOptions<EnrollmentOptions> options) : IEnrollmentAuthorizer
{
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

        // The record holds the exact DER this CA issued: byte equality proves the certificate is ours
        // (only the CA writes records) without building a chain per renewal; the TLS handshake has
        // already proved possession of its key (RFC 7030 §3.3.2).
        var record = await certificates.GetAsync(presented.SerialNumber, cancellationToken);
        if (record is null || !record.Der.AsSpan().SequenceEqual(presented.RawData))
        {
            return Refuse(EnrollmentRefusalKind.Unauthenticated, "foreign-certificate", "the client certificate was not issued by this Rampart CA");
        }

        if (record.Profile != "device")
        {
            return Refuse(EnrollmentRefusalKind.Unauthenticated, "unknown-certificate", "the client certificate is not a device certificate this CA recorded");
        }

        var now = time.GetUtcNow();
        if (record.Revoked)
        {
            return Refuse(EnrollmentRefusalKind.Unauthenticated, "revoked", $"certificate {record.Serial} was revoked", record.Subject);
        }

        if (now >= record.NotAfter)
        {
            return Refuse(EnrollmentRefusalKind.Unauthenticated, "expired",
                $"certificate {record.Serial} expired at {record.NotAfter:O}; an expired certificate cannot renew: re-enroll with a new bootstrap token", record.Subject);
        }

        var lifetime = record.NotAfter - record.NotBefore;
        var opens = record.NotAfter - (lifetime * options.Value.RenewalWindowFraction);
        if (now < opens)
        {
            return Refuse(EnrollmentRefusalKind.Forbidden, "outside-renewal-window",
                $"renewal window is {opens:O} to {record.NotAfter:O} (the last {options.Value.RenewalWindowFraction:P0} of validity)", record.Subject);
        }

        var refusal = DeviceStates.RefuseUnlessEnrollable(await devices.GetAsync(record.Subject, cancellationToken), record.Subject, firstEnrollment: false);
        return refusal is not null
            ? (null, refusal)
            : (new EnrollmentGrant(record.Subject, "device-certificate", EnrollmentGrant.NothingToSpend), null);
    }

    private static (EnrollmentGrant?, EnrollmentRefusal?) Refuse(EnrollmentRefusalKind kind, string code, string message, string? device = null) =>
        (null, new EnrollmentRefusal(kind, code, message, device));
}
