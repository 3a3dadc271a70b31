using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;
using Rampart.Pki.Authority;
using Rampart.Pki.Profiles;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// Turns a TLS client certificate into an MQTT identity, or a refusal: 1. chains to this CA's
/// issuing CA, 2. is a certificate this CA recorded, 3. is inside its validity and not revoked,
/// 4. names its subject in the SAN URI of its profile, 5. (devices) the device is active or
/// quarantined, which selects its permission template. The id never comes from the MQTT packet.
/// </summary>
public sealed class ClientIdentityResolver(
    CertificateAuthority authority,
    ICertificateStore certificates,
    IDeviceStore devices,
    IReadOnlyDictionary<string, ServicePermissions> services,
    TimeProvider time)
{
    /// <summary>Resolves the certificate presented in the handshake (null: none presented).</summary>
    /// <param name="chainVerified">True when the TLS handshake already verified the chain to this CA's issuing CA (the gateway's listener does).</param>
    public async Task<(ClientIdentity? Identity, ClientRefusal? Refusal)> ResolveAsync(X509Certificate2? certificate, CancellationToken cancellationToken, bool chainVerified = false)
    {
        if (certificate is null)
        {
            return Refuse("no-certificate", "a client certificate is required");
        }

        if (!chainVerified && !CaChain.IsIssuedBy(certificate, authority))
        {
            return Refuse("unknown-ca", "the client certificate was not issued by this Rampart CA");
        }

        var record = await certificates.GetAsync(certificate.SerialNumber, cancellationToken);
        if (record is null || !record.Der.AsSpan().SequenceEqual(certificate.RawData))
        {
            return Refuse("unknown-certificate", "the client certificate is not one this CA recorded");
        }

        var now = time.GetUtcNow();
        if (record.Revoked)
        {
            return Refuse("revoked", $"certificate {record.Serial} is revoked");
        }

        if (now < record.NotBefore || now >= record.NotAfter)
        {
            return Refuse("expired", $"certificate {record.Serial} is valid from {record.NotBefore:O} to {record.NotAfter:O}");
        }

        var prefix = record.Profile switch
        {
            "device" => CertificateProfiles.DeviceUriPrefix,
            "service" => CertificateProfiles.ServiceUriPrefix,
            _ => null,
        };
        if (prefix is null || !UriNames(certificate).Contains(prefix + record.Subject))
        {
            return Refuse("wrong-profile", "the certificate is not a device or service identity");
        }

        if (record.Profile == "service")
        {
            return services.TryGetValue(record.Subject, out var service)
                ? (new ClientIdentity(ClientKind.Service, record.Subject, record.Serial, service.Topics.Bind(record.Subject)), null)
                : Refuse("unknown-service", $"service {record.Subject} has no configured permissions");
        }

        var device = await devices.GetAsync(record.Subject, cancellationToken);
        var template = device?.State switch
        {
            DeviceState.Active => PermissionTemplate.Device,
            DeviceState.Quarantined => PermissionTemplate.Quarantine,
            _ => null,
        };
        return template is null
            ? Refuse("device-not-active", $"device {record.Subject} is {device?.State.ToString().ToLowerInvariant() ?? "unknown"}")
            : (new ClientIdentity(ClientKind.Device, record.Subject, record.Serial, template.Bind(record.Subject)), null);
    }

    private static (ClientIdentity?, ClientRefusal?) Refuse(string code, string message) => (null, new ClientRefusal(code, message));

    private static HashSet<string> UriNames(X509Certificate2 certificate)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault() is not { } san)
        {
            return names;
        }

        // GeneralName uniformResourceIdentifier is [6] IA5String (RFC 5280 §4.2.1.6).
        var uri = new Asn1Tag(TagClass.ContextSpecific, 6);
        var reader = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            if (reader.PeekTag().HasSameClassAndValue(uri))
            {
                names.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, uri));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }

        return names;
    }
}
