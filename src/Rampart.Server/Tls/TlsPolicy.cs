using System.Net.Security;
using System.Security.Authentication;

namespace Rampart.Server.Tls;

/// <summary>
/// What every Rampart listener accepts: TLS 1.2 and 1.3 with forward-secret AEAD suites only
/// (threat model, "Transport"). No CBC, no RSA key exchange, no SHA-1 MACs.
/// </summary>
public static class TlsPolicy
{
    /// <summary>TLS 1.2 and 1.3.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The suites offered, strongest first (RFC 8446 §B.4; RFC 5289, RFC 7905 for TLS 1.2).</summary>
    public static IReadOnlyList<TlsCipherSuite> AeadSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    // One policy object for every handshake: each connection keeps its options for its lifetime.
    private static readonly CipherSuitesPolicy? Suites = OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(AeadSuites);

    /// <summary>Applies the policy to one server handshake. Cipher suite policies are not supported on Windows.</summary>
    public static void Apply(SslServerAuthenticationOptions options)
    {
        options.EnabledSslProtocols = Protocols;
        if (Suites is not null)
        {
            options.CipherSuitesPolicy = Suites;
        }
    }
}
