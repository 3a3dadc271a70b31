using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Trust;

namespace Rampart.Device.Connection;

/// <summary>
/// How a device (or anything acting as one) talks TLS to a Rampart node: TLS 1.2/1.3, the node's
/// certificate checked against the Rampart root it was given and nothing else, and optionally its
/// own certificate presented. One definition for the MQTT client, the EST client and the load tools.
/// </summary>
public static class RampartTls
{
    /// <summary>Client options that trust only <paramref name="trustedRoot"/> and present <paramref name="clientCertificate"/> if given.</summary>
    public static SslClientAuthenticationOptions ClientOptions(string targetHost, X509Certificate2 trustedRoot, X509Certificate2? clientCertificate) => new()
    {
        TargetHost = targetHost,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        CertificateChainPolicy = FixedRootChain.Policy(trustedRoot),
    };
}
