using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Rampart.Adapters.Dtls;

/// <summary>
/// The node's side of certificate handshakes, converted once for BouncyCastle: its TLS certificate
/// and key (ECDSA, as RFC 7252 §9.1.3.3 expects), the chain sent with it, and the CA names a client
/// certificate must come from (RFC 5246 §7.4.4 certificate_authorities).
/// </summary>
public sealed class DtlsIdentityCredentials
{
    public DtlsIdentityCredentials(X509Certificate2 serverCertificate, IReadOnlyList<X509Certificate2> chain, IReadOnlyList<X509Certificate2> clientAuthorities)
    {
        using var key = serverCertificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException("the server certificate needs an ECDSA private key for CoAP over DTLS", nameof(serverCertificate));
        PrivateKey = PrivateKeyFactory.CreateKey(key.ExportPkcs8PrivateKey());
        CertificateChain = [serverCertificate.RawData, .. chain.Select(c => c.RawData)];
        ClientAuthorities = [.. clientAuthorities.Select(c => c.SubjectName.RawData)];
    }

    /// <summary>The server's private key.</summary>
    public AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>DER of the server certificate, then its issuers.</summary>
    public IReadOnlyList<byte[]> CertificateChain { get; }

    /// <summary>DER of the distinguished names a client certificate may chain to.</summary>
    public IReadOnlyList<byte[]> ClientAuthorities { get; }

    /// <summary>SHA-256 of the server certificate, for logs.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(CertificateChain[0]));
}
