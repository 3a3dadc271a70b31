using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;
using Rampart.Pki.Authority;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// Turns a TLS client certificate into an MQTT identity, or a refusal: 1. it is one of this CA's
/// live certificates (<see cref="LiveCertificates"/>: chained, recorded, not revoked, inside its
/// validity, its subject in the SAN URI of its profile), 2. a service has configured permissions,
/// 3. a device is active or quarantined, which selects its permission template. The id never
/// comes from the MQTT packet.
/// </summary>
public sealed class ClientIdentityResolver(
    CertificateAuthority authority,
    ICertificateStore certificates,
    IDeviceStore devices,
    IReadOnlyDictionary<string, ServicePermissions> services,
    TimeProvider time,
    IReadOnlyList<IDeviceTemplatePolicy>? templates = null)
{
    private readonly LiveCertificates _live = new(authority, certificates, time);

    /// <summary>Resolves the certificate presented in the handshake (null: none presented).</summary>
    /// <param name="chainVerified">True when the TLS handshake already verified the chain to this CA's issuing CA (the gateway's listener does).</param>
    public async Task<(ClientIdentity? Identity, ClientRefusal? Refusal)> ResolveAsync(X509Certificate2? certificate, CancellationToken cancellationToken, bool chainVerified = false)
    {
        if (certificate is null)
        {
            return Refuse("no-certificate", "a client certificate is required");
        }

        var live = await _live.CheckAsync(certificate, chainVerified, cancellationToken);
        if (live.Refusal is { } refusal)
        {
            return Refuse(Code(refusal), live.Message!);
        }

        var record = live.Record!;
        if (record.Profile == "service")
        {
            return services.TryGetValue(record.Subject, out var service)
                ? (new ClientIdentity(ClientKind.Service, record.Subject, record.Serial, service.Topics.Bind(record.Subject)), null)
                : Refuse("unknown-service", $"service {record.Subject} has no configured permissions");
        }

        var device = await devices.GetAsync(record.Subject, cancellationToken);
        var template = device?.State switch
        {
            DeviceState.Active => templates?.Select(policy => policy.TemplateFor(device!)).FirstOrDefault(t => t is not null) ?? PermissionTemplate.Device,
            DeviceState.Quarantined => PermissionTemplate.Quarantine,
            _ => null,
        };
        return template is null
            ? Refuse("device-not-active", $"device {record.Subject} is {device?.State.ToString().ToLowerInvariant() ?? "unknown"}")
            : (new ClientIdentity(ClientKind.Device, record.Subject, record.Serial, template.Bind(record.Subject)), null);
    }

    private static string Code(LiveCertificateRefusal refusal) => refusal switch
    {
        LiveCertificateRefusal.UnknownCa => "unknown-ca",
        LiveCertificateRefusal.Unknown => "unknown-certificate",
        LiveCertificateRefusal.Revoked => "revoked",
        LiveCertificateRefusal.Expired => "expired",
        _ => "wrong-profile",
    };

    private static (ClientIdentity?, ClientRefusal?) Refuse(string code, string message) => (null, new ClientRefusal(code, message));
}
