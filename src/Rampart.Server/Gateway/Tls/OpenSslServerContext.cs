using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Pki.Tls;
using Rampart.Server.Tls;

namespace Rampart.Server.Gateway.Tls;

/// <summary>
/// One <c>SSL_CTX</c> for the MQTT listener, holding exactly the policy the SslStream path applies
/// (<see cref="TlsPolicy"/>, <see cref="MqttTls"/>): TLS 1.2 and 1.3 only, the AEAD suites only, the
/// groups X25519/P-256/P-384, no renegotiation, no compression, no session tickets or cache (every
/// connect is a full handshake, so the certificate and the live checks run every time), and a client
/// certificate required and judged by <see cref="_verify"/> (RFC 8446 §4.4.2.4: a certificate the
/// server does not accept aborts the handshake). <c>SSL_MODE_RELEASE_BUFFERS</c> lets OpenSSL free a
/// connection's 17 KiB read and write record buffers whenever they are empty, which is what an idle
/// connection's memory is mostly made of under SslStream.
/// </summary>
internal sealed unsafe class OpenSslServerContext : IDisposable
{
    // OpenSSL names of TlsPolicy.AeadSuites (RFC 8446 §B.4 for TLS 1.3; RFC 5289 and RFC 7905 for TLS 1.2).
    private static readonly Dictionary<TlsCipherSuite, string> SuiteNames = new()
    {
        [TlsCipherSuite.TLS_AES_256_GCM_SHA384] = "TLS_AES_256_GCM_SHA384",
        [TlsCipherSuite.TLS_AES_128_GCM_SHA256] = "TLS_AES_128_GCM_SHA256",
        [TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256] = "TLS_CHACHA20_POLY1305_SHA256",
        [TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384] = "ECDHE-ECDSA-AES256-GCM-SHA384",
        [TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256] = "ECDHE-ECDSA-AES128-GCM-SHA256",
        [TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256] = "ECDHE-ECDSA-CHACHA20-POLY1305",
        [TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384] = "ECDHE-RSA-AES256-GCM-SHA384",
        [TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256] = "ECDHE-RSA-AES128-GCM-SHA256",
        [TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256] = "ECDHE-RSA-CHACHA20-POLY1305",
    };

    private readonly Func<byte[], bool> _verify;
    private readonly byte* _alpn;
    private readonly int _alpnLength;
    private GCHandle _self;
    private nint _ctx;

    /// <param name="certificate">The server certificate with its private key.</param>
    /// <param name="chain">Sent after it (the issuing CA).</param>
    /// <param name="verify">Judges the client's leaf certificate (DER); false aborts the handshake with unknown_ca.</param>
    public OpenSslServerContext(X509Certificate2 certificate, IEnumerable<X509Certificate2> chain, Func<byte[], bool> verify)
    {
        _verify = verify;
        var alpn = MqttTls.ApplicationProtocols.SelectMany(protocol => new[] { (byte)protocol.Protocol.Length }.Concat(protocol.Protocol.ToArray())).ToArray();
        _alpnLength = alpn.Length;
        _alpn = (byte*)NativeMemory.Alloc((nuint)alpn.Length);
        alpn.CopyTo(new Span<byte>(_alpn, alpn.Length));
        _ctx = OpenSslNative.SSL_CTX_new(OpenSslNative.TLS_server_method());
        try
        {
            Configure(certificate, chain);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The OpenSSL cipher list for TLS 1.2 and the suites for TLS 1.3, from <see cref="TlsPolicy.AeadSuites"/>.</summary>
    public static (string Tls12, string Tls13) CipherLists()
    {
        var names = TlsPolicy.AeadSuites.Select(suite => SuiteNames[suite]).ToList();
        return (string.Join(':', names.Where(name => !name.StartsWith("TLS_", StringComparison.Ordinal))),
            string.Join(':', names.Where(name => name.StartsWith("TLS_", StringComparison.Ordinal))));
    }

    /// <summary>A new server-side <c>SSL*</c> (the caller owns it).</summary>
    public nint NewSsl()
    {
        ObjectDisposedException.ThrowIf(_ctx == 0, this);
        var ssl = OpenSslNative.SSL_new(_ctx);
        return ssl == 0 ? throw new InvalidOperationException("SSL_new failed: " + OpenSslNative.TakeError()) : ssl;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ctx != 0)
        {
            OpenSslNative.SSL_CTX_free(_ctx);
            _ctx = 0;
        }

        if (_self.IsAllocated)
        {
            _self.Free();
        }

        NativeMemory.Free(_alpn);
    }

    private void Configure(X509Certificate2 certificate, IEnumerable<X509Certificate2> chain)
    {
        if (_ctx == 0)
        {
            throw new InvalidOperationException("SSL_CTX_new failed: " + OpenSslNative.TakeError());
        }

        var (tls12, tls13) = CipherLists();
        Check(OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetMinProtoVersion, OpenSslNative.Tls12Version, 0) == 1, "minimum protocol");
        Check(OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetMaxProtoVersion, OpenSslNative.Tls13Version, 0) == 1, "maximum protocol");
        Check(OpenSslNative.SSL_CTX_set_cipher_list(_ctx, tls12) == 1, "TLS 1.2 suites");
        Check(OpenSslNative.SSL_CTX_set_ciphersuites(_ctx, tls13) == 1, "TLS 1.3 suites");
        var groups = Marshal.StringToCoTaskMemUTF8("X25519:P-256:P-384");
        try
        {
            Check(OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetGroupsList, 0, groups) == 1, "groups");
        }
        finally
        {
            Marshal.FreeCoTaskMem(groups);
        }

        OpenSslNative.SSL_CTX_set_options(_ctx, OpenSslNative.OpNoTicket | OpenSslNative.OpNoCompression | OpenSslNative.OpCipherServerPreference | OpenSslNative.OpNoRenegotiation);
        OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlMode, OpenSslNative.ModeReleaseBuffers | OpenSslNative.ModeAcceptMovingWriteBuffer, 0);
        OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetSessionCacheMode, 0, 0); // SSL_SESS_CACHE_OFF
        OpenSslNative.SSL_CTX_set_num_tickets(_ctx, 0);

        // A client's certificate list is bounded (a device sends its leaf and at most an intermediate or two).
        OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetMaxCertList, 32 * 1024, 0);

        var x509 = ReadPem(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()), certificate: true);
        try
        {
            Check(OpenSslNative.SSL_CTX_use_certificate(_ctx, x509) == 1, "server certificate");
        }
        finally
        {
            OpenSslNative.X509_free(x509); // the context holds its own reference
        }

        var key = ReadPem(Encoding.ASCII.GetBytes(PrivateKeyPem(certificate)), certificate: false);
        try
        {
            Check(OpenSslNative.SSL_CTX_use_PrivateKey(_ctx, key) == 1, "server key");
        }
        finally
        {
            OpenSslNative.EVP_PKEY_free(key);
        }

        Check(OpenSslNative.SSL_CTX_check_private_key(_ctx) == 1, "server key does not match its certificate");
        foreach (var link in chain)
        {
            var issuer = ReadPem(Encoding.ASCII.GetBytes(link.ExportCertificatePem()), certificate: true);
            try
            {
                Check(OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlChainCert, 1, issuer) == 1, "certificate chain"); // SSL_CTX_add1_chain_cert
            }
            finally
            {
                OpenSslNative.X509_free(issuer);
            }
        }

        _self = GCHandle.Alloc(this);
        OpenSslNative.SSL_CTX_set_verify(_ctx, OpenSslNative.VerifyPeer | OpenSslNative.VerifyFailIfNoPeerCert, 0);
        OpenSslNative.SSL_CTX_set_cert_verify_callback(_ctx, &VerifyCallback, GCHandle.ToIntPtr(_self));
        OpenSslNative.SSL_CTX_set_alpn_select_cb(_ctx, &AlpnCallback, GCHandle.ToIntPtr(_self));
    }

    private static string PrivateKeyPem(X509Certificate2 certificate) =>
        certificate.GetECDsaPrivateKey() is { } ecdsa ? Pem(ecdsa.ExportPkcs8PrivateKey(), ecdsa)
        : certificate.GetRSAPrivateKey() is { } rsa ? Pem(rsa.ExportPkcs8PrivateKey(), rsa)
        : throw new InvalidOperationException("the server certificate has no ECDSA or RSA private key");

    private static string Pem(byte[] pkcs8, IDisposable key)
    {
        key.Dispose();
        try
        {
            return new string(System.Security.Cryptography.PemEncoding.Write("PRIVATE KEY", pkcs8));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static nint ReadPem(byte[] pem, bool certificate)
    {
        fixed (byte* data = pem)
        {
            var bio = OpenSslNative.BIO_new_mem_buf(data, pem.Length);
            try
            {
                var result = certificate ? OpenSslNative.PEM_read_bio_X509(bio, 0, 0, 0) : OpenSslNative.PEM_read_bio_PrivateKey(bio, 0, 0, 0);
                return result != 0 ? result : throw new InvalidOperationException("OpenSSL could not read the server's " + (certificate ? "certificate" : "key") + ": " + OpenSslNative.TakeError());
            }
            finally
            {
                OpenSslNative.BIO_free(bio);
                if (!certificate)
                {
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(pem);
                }
            }
        }
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"OpenSSL refused the MQTT listener's {what}: {OpenSslNative.TakeError()}");
        }
    }

    // Replaces X509_verify_cert for client certificates (SSL_CTX_set_cert_verify_callback): the leaf is
    // judged by the gateway (its chain to Rampart's CA, or the verified-certificate cache). OpenSSL still
    // checks the CertificateVerify signature with the leaf's key (RFC 8446 §4.4.3), which proves possession.
    [UnmanagedCallersOnly]
    private static int VerifyCallback(nint storeContext, nint arg)
    {
        try
        {
            var context = (OpenSslServerContext)GCHandle.FromIntPtr(arg).Target!;
            var leaf = OpenSslNative.X509_STORE_CTX_get0_cert(storeContext);
            if (leaf != 0 && context._verify(OpenSslNative.Der(leaf)))
            {
                return 1;
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Never across the native frame: a failure to judge is a refusal.
        }

        OpenSslNative.X509_STORE_CTX_set_error(storeContext, OpenSslNative.X509VErrUnableToGetIssuerCertLocally);
        return 0;
    }

    // ALPN (RFC 7301 §3.2): the server's MQTT ids in its order of preference; a client that offers only
    // other ids gets no_application_protocol, as on the SslStream path. No ALPN extension: no callback.
    [UnmanagedCallersOnly]
    private static int AlpnCallback(nint ssl, byte** output, byte* outputLength, byte* offered, uint offeredLength, nint arg)
    {
        var context = (OpenSslServerContext)GCHandle.FromIntPtr(arg).Target!;
        return OpenSslNative.SSL_select_next_proto(output, outputLength, context._alpn, (uint)context._alpnLength, offered, offeredLength) == OpenSslNative.NpnNegotiated
            ? OpenSslNative.TlsextErrOk
            : OpenSslNative.TlsextErrAlertFatal;
    }
}
