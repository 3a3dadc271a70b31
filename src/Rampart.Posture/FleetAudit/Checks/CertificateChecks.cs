using Rampart.Posture.Baselines.Judges;
using Rampart.Posture.Evidence;

namespace Rampart.Posture.FleetAudit.Checks;

/// <summary>Device Defender's CA_CERTIFICATE_EXPIRING_CHECK: the node's root or issuing CA expires soon.</summary>
public sealed class CaCertificateExpiring : IAuditCheck
{
    public string Id => "ca-certificate-expiring";
    public string Title => "CA certificate expiring";
    public FindingSeverity Severity => FindingSeverity.Critical;
    public string Fix => "Plan a CA rotation: import a new CA (rampart ca import) and re-enroll devices before the old one expires.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        new[] { ("root", context.Environment.RootCa), ("issuing", context.Environment.IssuingCa) }
            .Where(ca => ca.Item2.NotAfter.ToUniversalTime() < context.Now.UtcDateTime.AddDays(context.Options.CaExpiryDays))
            .Select(ca => $"ca/{ca.Item1} ({ca.Item2.NotAfter.ToUniversalTime():yyyy-MM-dd})"),
        $"CA certificate(s) expire within {context.Options.CaExpiryDays} days");
}

/// <summary>Device Defender's CA_CERTIFICATE_KEY_QUALITY_CHECK: a CA key below EC 256 / RSA 2048 bits.</summary>
public sealed class CaKeyQuality : IAuditCheck
{
    public string Id => "ca-key-quality";
    public string Title => "CA key quality";
    public FindingSeverity Severity => FindingSeverity.Critical;
    public string Fix => "Replace the CA with one whose key is EC P-256 or stronger, or RSA 2048 bits or more.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        new[] { ("root", context.Environment.RootCa), ("issuing", context.Environment.IssuingCa) }
            .Select(ca => (ca.Item1, Key: FleetEvidenceLoader.KeyOf(ca.Item2)))
            .Where(ca => !KeyQuality.IsStrong(ca.Key.Algorithm, ca.Key.Bits))
            .Select(ca => $"ca/{ca.Item1} ({ca.Key.Algorithm} {ca.Key.Bits})"),
        "CA key(s) too weak");
}

/// <summary>Device Defender's DEVICE_CERTIFICATE_EXPIRING_CHECK: a live device certificate expires soon.</summary>
public sealed class DeviceCertificateExpiring : IAuditCheck
{
    public string Id => "device-certificate-expiring";
    public string Title => "Device certificate expiring";
    public FindingSeverity Severity => FindingSeverity.Medium;
    public string Fix => "Have the device renew over EST (simplereenroll) with its current certificate, or issue it a new bootstrap token.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        Live(context).Where(c => c.NotAfter < context.Now.AddDays(context.Options.DeviceCertificateExpiryDays)).Select(c => $"certificate/{c.Serial} (device/{c.Subject})"),
        $"live device certificate(s) expire within {context.Options.DeviceCertificateExpiryDays} days");

    internal static IEnumerable<CertificateFact> Live(AuditContext context) =>
        context.Evidence.Devices.SelectMany(d => context.Evidence.Certificates.GetValueOrDefault(d.Id) ?? []).Where(c => c.IsLive(context.Now));
}

/// <summary>Device Defender's DEVICE_CERTIFICATE_KEY_QUALITY_CHECK.</summary>
public sealed class DeviceCertificateKeyQuality : IAuditCheck
{
    public string Id => "device-certificate-key-quality";
    public string Title => "Device certificate key quality";
    public FindingSeverity Severity => FindingSeverity.Critical;
    public string Fix => "Re-enroll the device with an EC P-256 (or stronger) key and revoke the weak certificate.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        DeviceCertificateExpiring.Live(context).Where(c => !KeyQuality.IsStrong(c.KeyAlgorithm, c.KeyBits))
            .Select(c => $"certificate/{c.Serial} (device/{c.Subject}, {c.KeyAlgorithm} {c.KeyBits})"),
        "live device certificate(s) with a weak key");
}

/// <summary>Device Defender's DEVICE_CERTIFICATE_AGE_CHECK: a certificate in use for longer than the rotation period.</summary>
public sealed class DeviceCertificateAge : IAuditCheck
{
    public string Id => "device-certificate-age";
    public string Title => "Device certificate age";
    public FindingSeverity Severity => FindingSeverity.Low;
    public string Fix => "Rotate the device's key: re-enroll it with a new key, then revoke the old certificate.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        DeviceCertificateExpiring.Live(context).Where(c => context.Now - c.NotBefore > TimeSpan.FromDays(context.Options.DeviceCertificateMaxAgeDays))
            .Select(c => $"certificate/{c.Serial} (device/{c.Subject})"),
        $"live device certificate(s) older than {context.Options.DeviceCertificateMaxAgeDays} days");
}

/// <summary>Device Defender's DEVICE_CERTIFICATE_SHARED_CHECK: one key for several devices, or one identity from several addresses at once.</summary>
public sealed class DeviceCertificateShared : IAuditCheck
{
    public string Id => "device-certificate-shared";
    public string Title => "Device certificate shared";
    public FindingSeverity Severity => FindingSeverity.Critical;
    public string Fix => "Treat the key as cloned: revoke the device's certificates (rampart cert revoke --device ID), inspect the device, re-enroll it with a new key.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        context.Evidence.Devices.Where(d => context.Evidence.SharedKeys.Contains(d.Id)).Select(d => $"device/{d.Id}"),
        "device(s) whose key is held by another device or was used from two places at once in the last day");
}

/// <summary>Device Defender's REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: a live session on a revoked certificate.</summary>
public sealed class RevokedCertificateStillActive : IAuditCheck
{
    public string Id => "revoked-device-certificate-still-active";
    public string Title => "Revoked device certificate still active";
    public FindingSeverity Severity => FindingSeverity.Critical;
    public string Fix => "End the session (rampart device quarantine or retire) and check the gateway's live control: revocation must end sessions at once.";

    public CheckOutcome Run(AuditContext context)
    {
        if (context.Environment.Sessions is not { } sessions)
        {
            return CheckOutcome.NotAssessable("live sessions are not visible to this audit (run it on a serving node)");
        }

        var revoked = context.Evidence.Certificates.Values.SelectMany(c => c).Where(c => c.Revoked).Select(c => c.Serial).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return CheckOutcome.Of(sessions.Current().Where(s => revoked.Contains(s.CertificateSerial)).Select(s => $"certificate/{s.CertificateSerial} (device/{s.DeviceId} from {s.Source})"),
            "revoked certificate(s) with a live session");
    }
}

/// <summary>
/// Device Defender's ISSUER_CA_REVOKED_FOR_ACTIVE_CERTIFICATES: live device certificates whose issuer is no
/// longer the node's issuing CA (it was replaced or revoked), so they chain to nothing the gateway trusts.
/// During a rollover's overlap the replaced CA's certificates are still trusted (devices renew onto the
/// new CA at their next check), so they are not findings until the overlap ends.
/// </summary>
public sealed class IssuingCaReplaced : IAuditCheck
{
    public string Id => "issuing-ca-revoked-for-active-certificates";
    public string Title => "Issuing CA revoked or replaced for active certificates";
    public FindingSeverity Severity => FindingSeverity.High;
    public string Fix => "Re-enroll the devices under the current issuing CA and revoke the old certificates.";

    public CheckOutcome Run(AuditContext context)
    {
        var issuer = context.Environment.IssuingCa.SubjectName.Name;
        var stillTrusted = context.Environment is { PreviousIssuingCa: { } previous, PreviousTrustedUntil: { } until } && context.Now < until
            ? previous.SubjectName.Name
            : null;
        return CheckOutcome.Of(
            DeviceCertificateExpiring.Live(context).Where(c => c.Issuer.Length > 0 && c.Issuer != issuer && c.Issuer != stillTrusted).Select(c => $"certificate/{c.Serial} (device/{c.Subject})"),
            "live device certificate(s) from an issuing CA that is no longer the node's");
    }
}

/// <summary>Device Defender's CONFLICTING_CLIENT_IDS_CHECK: two connections keep taking one client id from each other.</summary>
public sealed class ConflictingClientIds : IAuditCheck
{
    public string Id => "conflicting-client-ids";
    public string Title => "Conflicting client ids";
    public FindingSeverity Severity => FindingSeverity.High;
    public string Fix => "Find the second connection (rampart events tail --device ID): a copied key or a misconfigured client; revoke if it is a clone.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        context.Evidence.Events.Where(e => FleetEvidence.ConflictEvents.Contains(e.Kind) && e.Count >= context.Options.ConflictingSessionTakeovers)
            .Select(e => $"device/{e.DeviceId} ({e.Count} take-overs)"),
        $"client id(s) taken over {context.Options.ConflictingSessionTakeovers} times or more in the last day");
}
