using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Tls;
using Rampart.Pki.Trust;

namespace Rampart.Device.Connection.Tls;

/// <summary>
/// A device's mutual-TLS connection over libssl, for a key .NET's SslStream cannot use: the TPM-held
/// key of <see cref="Identity.Tpm.TpmKeyStore"/> (its signatures come from <see cref="DelegatedEcKey"/>).
/// The policy is <see cref="RampartTls"/>'s: TLS 1.2 and 1.3 only, the server's chain checked against
/// the one pinned Rampart root and nothing else, its name (or IP address) against the certificate, the
/// serverAuth EKU required. The records run through the same memory-BIO connection the MQTT listener
/// serves with (<see cref="OpenSslConnection"/>: bounded per-record reads, one lock per <c>SSL*</c>).
/// </summary>
public sealed class OpenSslClientConnection : IDuplexPipe, IAsyncDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly OpenSslConnection _tls;

    private OpenSslClientConnection(Socket socket, NetworkStream network, OpenSslConnection tls)
    {
        _socket = socket;
        _network = network;
        _tls = tls;
    }

    /// <inheritdoc />
    public PipeReader Input => _tls.Input;

    /// <inheritdoc />
    public PipeWriter Output => _tls.Output;

    /// <summary>The negotiated protocol version, e.g. "TLSv1.3".</summary>
    public string? Protocol => _tls.Protocol;

    /// <summary>The server's certificate.</summary>
    public X509Certificate2 ServerCertificate => X509CertificateLoader.LoadCertificate(_tls.ClientCertificate!);

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> and completes the handshake within
    /// <paramref name="timeout"/>, presenting <paramref name="certificate"/> whose private key signs
    /// through <paramref name="key"/>. Throws <see cref="AuthenticationException"/> with the reason (the
    /// server's chain or name refused, the key failing to sign, the server refusing the client) or the
    /// socket's error when the host cannot be reached.
    /// </summary>
    public static async Task<OpenSslClientConnection> ConnectAsync(
        string host, int port, string serverName, X509Certificate2 trustedRoot, X509Certificate2 certificate, ECDsa key,
        IPAddress? localAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        NetworkStream? network = null;
        try
        {
            if (localAddress is not null)
            {
                socket.Bind(new IPEndPoint(localAddress, 0));
            }

            await socket.ConnectAsync(host, port, deadline.Token);
            network = new NetworkStream(socket, ownsSocket: true);
            using var context = new ClientContext(serverName, trustedRoot, certificate, key);
            var (tls, failure) = await OpenSslConnection.ConnectAsync(context.NewSsl(), new Transport(network), deadline.Token);
            if (tls is null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new AuthenticationException($"TLS handshake with {host}:{port} failed: {context.Failure ?? failure}");
            }

            return new OpenSslClientConnection(socket, network, tls);
        }
        catch
        {
            if (network is not null)
            {
                await network.DisposeAsync();
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>Ends the connection at once (the reader sees the end of its input).</summary>
    public void Abort() => _socket.Dispose();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        await _network.DisposeAsync();
    }

    private sealed class Transport(NetworkStream network) : IDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(network, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));

        public PipeWriter Output { get; } = PipeWriter.Create(network, new StreamPipeWriterOptions(leaveOpen: true));
    }

    // One SSL_CTX per connection (a renewed certificate is used at the next connect); the SSL* it makes outlives it by reference.
    private sealed unsafe class ClientContext : IDisposable
    {
        private readonly string _serverName;
        private readonly X509Certificate2 _root;
        private readonly DelegatedEcKey _key;
        private GCHandle _self;
        private nint _ctx;
        private string? _verifyFailure;

        public ClientContext(string serverName, X509Certificate2 root, X509Certificate2 certificate, ECDsa key)
        {
            _serverName = serverName;
            _root = root;
            _self = GCHandle.Alloc(this);
            _key = new DelegatedEcKey(key);
            _ctx = OpenSslNative.SSL_CTX_new(OpenSslNative.TLS_client_method());
            try
            {
                Configure(certificate);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string? Failure => _verifyFailure ?? _key.Failure;

        public nint NewSsl()
        {
            var ssl = OpenSslNative.SSL_new(_ctx);
            if (ssl == 0)
            {
                throw new InvalidOperationException("SSL_new failed: " + OpenSslNative.TakeError());
            }

            // SNI (RFC 6066 §3) for a name; an IP address is not sent there.
            if (!IPAddress.TryParse(_serverName, out _))
            {
                var name = Marshal.StringToCoTaskMemUTF8(_serverName);
                try
                {
                    OpenSslNative.SSL_ctrl(ssl, OpenSslNative.CtrlSetTlsextHostname, OpenSslNative.TlsextNametypeHostName, name);
                }
                finally
                {
                    Marshal.FreeCoTaskMem(name);
                }
            }

            return ssl;
        }

        public void Dispose()
        {
            if (_ctx != 0)
            {
                OpenSslNative.SSL_CTX_free(_ctx);
                _ctx = 0;
            }

            // The SSL* keeps its own references to the key; the handshake that signs with it is over.
            _key.Dispose();
            if (_self.IsAllocated)
            {
                _self.Free();
            }
        }

        private void Configure(X509Certificate2 certificate)
        {
            Require(_ctx != 0, "SSL_CTX_new");
            Require(OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetMinProtoVersion, OpenSslNative.Tls12Version, 0) == 1, "TLS 1.2 minimum");
            Require(OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetMaxProtoVersion, OpenSslNative.Tls13Version, 0) == 1, "TLS 1.3 maximum");
            OpenSslNative.SSL_CTX_set_options(_ctx, OpenSslNative.OpNoCompression | OpenSslNative.OpNoRenegotiation | OpenSslNative.OpNoTicket);
            Require(OpenSslNative.SSL_CTX_set_cipher_list(_ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") == 1, "TLS 1.2 AEAD suites");

            // The device signs only ECDSA with SHA-256 (a P-256 key; RFC 8446 §4.2.3 ecdsa_secp256r1_sha256), the digest the TPM key is made for.
            var sigalgs = Marshal.StringToCoTaskMemUTF8("ECDSA+SHA256");
            try
            {
                Require(OpenSslNative.SSL_CTX_ctrl(_ctx, OpenSslNative.CtrlSetClientSigalgsList, 0, sigalgs) == 1, "client signature algorithms");
            }
            finally
            {
                Marshal.FreeCoTaskMem(sigalgs);
            }

            var x509 = OpenSslNative.X509FromDer(certificate.RawData);
            Require(x509 != 0, "the device certificate");
            try
            {
                Require(OpenSslNative.SSL_CTX_use_PrivateKey(_ctx, _key.Handle) == 1, "the device key");
                Require(OpenSslNative.SSL_CTX_use_certificate(_ctx, x509) == 1, "the device certificate");
                Require(OpenSslNative.SSL_CTX_check_private_key(_ctx) == 1, "the device certificate certifying the device key");
            }
            finally
            {
                OpenSslNative.X509_free(x509);
            }

            OpenSslNative.SSL_CTX_set_verify(_ctx, OpenSslNative.VerifyPeer, 0);
            OpenSslNative.SSL_CTX_set_cert_verify_callback(_ctx, &VerifyCallback, GCHandle.ToIntPtr(_self));
        }

        private static void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new CryptographicException($"OpenSSL refused {what}: {OpenSslNative.TakeError() ?? "no reason given"}");
            }
        }

        // The server's chain, judged here and nowhere else: the pinned root only, the name, serverAuth.
        private string? Judge(byte[] leafDer, List<byte[]> presented)
        {
            using var leaf = X509CertificateLoader.LoadCertificate(leafDer);
            var intermediates = presented.Select(X509CertificateLoader.LoadCertificate).ToList();
            try
            {
                var policy = FixedRootChain.Policy(_root, intermediates);
                policy.ApplicationPolicy.Add(ServerAuthentication);
                using var chain = new X509Chain { ChainPolicy = policy };
                if (!chain.Build(leaf))
                {
                    var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                    return $"the server's certificate ({leaf.Subject}) does not chain to the pinned Rampart root ({status})";
                }

                return leaf.MatchesHostname(_serverName, allowWildcards: true, allowCommonName: false)
                    ? null
                    : $"the server's certificate ({leaf.Subject}) is not for '{_serverName}'";
            }
            finally
            {
                intermediates.ForEach(c => c.Dispose());
            }
        }

        [UnmanagedCallersOnly]
        private static int VerifyCallback(nint storeContext, nint arg)
        {
            var context = (ClientContext)GCHandle.FromIntPtr(arg).Target!;
            try
            {
                var leaf = OpenSslNative.X509_STORE_CTX_get0_cert(storeContext);
                var untrusted = OpenSslNative.X509_STORE_CTX_get0_untrusted(storeContext);
                var presented = new List<byte[]>();
                for (var i = 0; untrusted != 0 && i < OpenSslNative.OPENSSL_sk_num(untrusted); i++)
                {
                    presented.Add(OpenSslNative.Der(OpenSslNative.OPENSSL_sk_value(untrusted, i)));
                }

                context._verifyFailure = leaf == 0 ? "the server sent no certificate" : context.Judge(OpenSslNative.Der(leaf), presented);
            }
            catch (Exception exception) when (exception is CryptographicException or ArgumentException)
            {
                context._verifyFailure = "the server's certificate could not be read: " + exception.Message;
            }

            if (context._verifyFailure is null)
            {
                return 1;
            }

            OpenSslNative.X509_STORE_CTX_set_error(storeContext, OpenSslNative.X509VErrUnableToGetIssuerCertLocally);
            return 0;
        }
    }
}
