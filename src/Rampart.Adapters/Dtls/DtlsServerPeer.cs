using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Rampart.Adapters.Dtls;

/// <summary>
/// One DTLS 1.2 handshake's server (RFC 6347) for CoAP (RFC 7252 §9): only DTLS 1.2, only AEAD
/// suites — the mandatory CCM_8 ones of §9.1.3.1 (PreSharedKey) and §9.1.3.3 (X.509) and their GCM
/// siblings. A PSK handshake looks the identity (the device id) up in Rampart's issued keys; a
/// certificate handshake requires a client certificate naming Rampart's CA and captures it for the
/// identity check that follows (the chain and liveness are judged there, as for MQTT).
/// </summary>
internal class DtlsServerPeer(BcTlsCrypto crypto, DtlsIdentityCredentials credentials, Func<string, (byte[] Key, string Credential)?> psk) : AbstractTlsServer(crypto)
{
    private static readonly int[] Suites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
        CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>The device id a PSK handshake named (its PSK identity), once looked up.</summary>
    public string? PskIdentity { get; private set; }

    /// <summary>The credential name of the PSK that was used (<c>psk:KEYID</c>).</summary>
    public string? PskCredential { get; private set; }

    /// <summary>True when the PSK identity named no issued key.</summary>
    public bool UnknownPskIdentity { get; private set; }

    /// <summary>The client certificate (DER) a certificate handshake presented.</summary>
    public byte[]? ClientCertificate { get; private set; }

    /// <inheritdoc />
    public override TlsPskIdentityManager GetPskIdentityManager() => new Identities(this, psk);

    /// <inheritdoc />
    public override TlsCredentials GetCredentials()
    {
        if (TlsUtilities.GetKeyExchangeAlgorithm(m_selectedCipherSuite) == KeyExchangeAlgorithm.PSK)
        {
            return null!;
        }

        var chain = new Certificate(credentials.CertificateChain.Select(der => (TlsCertificate)crypto.CreateCertificate(der)).ToArray());
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), crypto, credentials.PrivateKey, chain,
            SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    /// <inheritdoc />
    public override CertificateRequest GetCertificateRequest()
    {
        // RFC 5246 §7.4.4: ask for an ECDSA client certificate from Rampart's CA; an empty answer fails below.
        var authorities = credentials.ClientAuthorities.Select(X509Name.GetInstance).ToList();
        var algorithms = new List<SignatureAndHashAlgorithm>
        {
            SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
        };
        return new CertificateRequest([ClientCertificateType.ecdsa_sign], algorithms, authorities);
    }

    /// <inheritdoc />
    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "a client certificate from Rampart's CA is required");
        }

        ClientCertificate = clientCertificate.GetCertificateAt(0).GetEncoded();
    }

    /// <inheritdoc />
    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    /// <inheritdoc />
    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, Suites);

    private sealed class Identities(DtlsServerPeer peer, Func<string, (byte[] Key, string Credential)?> psk) : TlsPskIdentityManager
    {
        public byte[]? GetHint() => null;

        public byte[]? GetPsk(byte[] identity)
        {
            // RFC 4279 §5.1: the identity is UTF-8 and at most 128 bytes; here it is the device id.
            if (identity.Length is 0 or > 128)
            {
                peer.UnknownPskIdentity = true;
                return null;
            }

            var deviceId = System.Text.Encoding.UTF8.GetString(identity);
            peer.PskIdentity = deviceId;
            if (psk(deviceId) is not { } found)
            {
                // BouncyCastle answers unknown_psk_identity (RFC 4279 §2).
                peer.UnknownPskIdentity = true;
                return null;
            }

            peer.PskCredential = found.Credential;
            return found.Key;
        }
    }
}
