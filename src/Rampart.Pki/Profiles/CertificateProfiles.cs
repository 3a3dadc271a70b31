using System.Net;

namespace Rampart.Pki.Profiles;

/// <summary>The three profiles Rampart issues.</summary>
public static class CertificateProfiles
{
    /// <summary>SAN URI prefix of device identities.</summary>
    public const string DeviceUriPrefix = "urn:rampart:device:";

    /// <summary>SAN URI prefix of backend service identities.</summary>
    public const string ServiceUriPrefix = "urn:rampart:service:";

    /// <summary>Device: CN = id, SAN URI, clientAuth, digitalSignature, not a CA; allowed key; one key per device.</summary>
    public static CertificateProfile Device(TimeSpan validity, Func<string, string, CancellationToken, ValueTask<string?>> findKeyHolder) => new(
        "device",
        [new AllowedKeyValidator(), new KeyNotHeldByAnotherSubjectValidator(findKeyHolder)],
        [new CommonNameSubject(), new UriSubjectAlternativeName(DeviceUriPrefix), new EndEntityUsage(EndEntityUsage.ClientAuth), new FixedValidity(validity)]);

    /// <summary>Service: a backend consumer (EKU clientAuth, SAN URI urn:rampart:service:NAME).</summary>
    public static CertificateProfile Service(TimeSpan validity, Func<string, string, CancellationToken, ValueTask<string?>> findKeyHolder) => new(
        "service",
        [new AllowedKeyValidator(), new KeyNotHeldByAnotherSubjectValidator(findKeyHolder)],
        [new CommonNameSubject(), new UriSubjectAlternativeName(ServiceUriPrefix), new EndEntityUsage(EndEntityUsage.ClientAuth), new FixedValidity(validity)]);

    /// <summary>Server: the node's own TLS certificate, names from configuration (EKU serverAuth).</summary>
    public static CertificateProfile Server(TimeSpan validity, IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses) => new(
        "server",
        [new AllowedKeyValidator()],
        [new CommonNameSubject("Rampart"), new ServerNames(dnsNames, addresses), new EndEntityUsage(EndEntityUsage.ServerAuth), new FixedValidity(validity)]);
}
