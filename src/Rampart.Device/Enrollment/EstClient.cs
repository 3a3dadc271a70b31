using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Rampart.Device.Enrollment;

/// <summary>
/// The device side of EST (RFC 7030) against a Rampart node: it trusts only the Rampart root it was
/// given, makes its key itself, sends a PKCS#10 CSR and keeps the key. <c>simpleenroll</c> with a
/// bootstrap token (§4.2.1); <c>simplereenroll</c> authenticated by the current certificate (§4.2.2).
/// </summary>
public sealed class EstClient(Uri server, X509Certificate2 trustedRoot)
{
    /// <summary>Enrolls with a single-use bootstrap token; returns the certificate with the new key attached.</summary>
    public Task<X509Certificate2> EnrollAsync(string deviceId, string bootstrapToken, CancellationToken cancellationToken) =>
        RequestCertificateAsync("simpleenroll", null, Basic(deviceId, bootstrapToken), cancellationToken);

    /// <summary>
    /// Zero-touch enrollment: the factory certificate (IDevID) the manufacturer installed is the TLS
    /// client certificate; no token. The node must trust the manufacturer's CA (<c>rampart vendor trust add</c>).
    /// </summary>
    public Task<X509Certificate2> EnrollWithFactoryCertificateAsync(X509Certificate2 factoryCertificate, CancellationToken cancellationToken) =>
        RequestCertificateAsync("simpleenroll", factoryCertificate, null, cancellationToken);

    /// <summary>
    /// Enrolls with a single-use bootstrap token using a key the caller holds — a hardware key
    /// (<see cref="Identity.Tpm.TpmKeyStore.CreateKeyAsync"/>) that signs the CSR where it lives.
    /// Returns the certificate bound to that key; the caller keeps owning the key.
    /// </summary>
    public Task<X509Certificate2> EnrollAsync(string deviceId, string bootstrapToken, ECDsa key, CancellationToken cancellationToken) =>
        RequestCertificateAsync("simpleenroll", null, Basic(deviceId, bootstrapToken), key, cancellationToken);

    /// <summary>Zero-touch enrollment (as <see cref="EnrollWithFactoryCertificateAsync(X509Certificate2, CancellationToken)"/>) for a key the caller holds.</summary>
    public Task<X509Certificate2> EnrollWithFactoryCertificateAsync(X509Certificate2 factoryCertificate, ECDsa key, CancellationToken cancellationToken) =>
        RequestCertificateAsync("simpleenroll", factoryCertificate, null, key, cancellationToken);

    /// <summary>Renews with a fresh key, authenticated by the current certificate (inside its renewal window).</summary>
    public Task<X509Certificate2> ReenrollAsync(X509Certificate2 current, CancellationToken cancellationToken) =>
        RequestCertificateAsync("simplereenroll", current, null, cancellationToken);

    /// <summary>
    /// Renews a device whose key is in a TPM: the TLS session is authenticated by <paramref name="current"/>
    /// and its TPM-held <paramref name="currentKey"/> through the SDK's libssl client
    /// (<see cref="Connection.Tls.OpenSslClientConnection"/>; SslStream cannot use a provider key on
    /// OpenSSL 3.0), and the CSR is signed by <paramref name="nextKey"/> (the node refuses a reused key).
    /// Returns the certificate bound to <paramref name="nextKey"/>; the caller keeps owning both keys.
    /// </summary>
    public async Task<X509Certificate2> ReenrollAsync(X509Certificate2 current, ECDsa currentKey, ECDsa nextKey, CancellationToken cancellationToken)
    {
        var handler = new SocketsHttpHandler
        {
            // Plain http:// to the handler, so the TLS is this callback's: libssl with the TPM key, the node checked against the pinned root.
            ConnectCallback = async (context, ct) => new Connection.Tls.DuplexPipeStream(await Connection.Tls.OpenSslClientConnection.ConnectAsync(
                context.DnsEndPoint.Host, context.DnsEndPoint.Port, server.Host, trustedRoot, current, currentKey, null, TimeSpan.FromSeconds(30), ct)),
        };
        using var http = new HttpClient(handler) { BaseAddress = new UriBuilder(server) { Scheme = Uri.UriSchemeHttp }.Uri, Timeout = TimeSpan.FromSeconds(30) };
        using var request = Request("simplereenroll", nextKey);
        using var issued = await SendAsync(http, request, cancellationToken);
        return issued.CopyWithPrivateKey(nextKey);
    }

    /// <summary>
    /// The issuing CA the node signs with now (RFC 7030 §4.1 <c>cacerts</c>, no client authentication),
    /// checked to be issued by the pinned root: a certificate whose issuer differs was issued by a CA a
    /// rollover replaced (<see cref="CertificateRenewal"/> then renews at once).
    /// </summary>
    public async Task<X509Certificate2> GetIssuingCaAsync(CancellationToken cancellationToken)
    {
        using var http = Client(null);
        http.MaxResponseContentBufferSize = MaxCaCertsBytes;
        using var response = await http.GetAsync(".well-known/est/cacerts", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new EstException((int)response.StatusCode, body.Length > 500 ? body[..500] : body);
        }

        var cms = new SignedCms();
        try
        {
            cms.Decode(Convert.FromBase64String(body));
        }
        catch (Exception exception) when (exception is FormatException or CryptographicException)
        {
            throw new EstException((int)response.StatusCode, $"cacerts is not a base64 certs-only PKCS#7: {exception.Message}");
        }

        // The issuing CA is the certificate that is not self-issued; it must chain to the pinned root, not merely name it.
        foreach (var certificate in cms.Certificates)
        {
            if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
                && Pki.Trust.FixedRootChain.Verify(certificate, trustedRoot, []))
            {
                return X509CertificateLoader.LoadCertificate(certificate.RawData);
            }
        }

        throw new EstException((int)response.StatusCode, "cacerts holds no issuing CA issued by the pinned root");
    }

    // Two certificates in a certs-only PKCS#7, base64: a few KiB. Anything much larger is not a CA chain.
    private const int MaxCaCertsBytes = 64 * 1024;

    /// <summary>
    /// Sends a CSR made elsewhere with a bootstrap token and returns the issued certificate (without a
    /// key). For tools that test what the node does with a CSR's fields (the red team); devices use
    /// <see cref="EnrollAsync(string, string, CancellationToken)"/>.
    /// </summary>
    public async Task<X509Certificate2> EnrollWithRequestAsync(string deviceId, string bootstrapToken, byte[] pkcs10, CancellationToken cancellationToken)
    {
        using var http = Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/est/simpleenroll")
        {
            Content = new StringContent(Convert.ToBase64String(pkcs10), Encoding.ASCII, "application/pkcs10"),
        };
        request.Headers.Authorization = Basic(deviceId, bootstrapToken);
        return await SendAsync(http, request, cancellationToken);
    }

    // Every operation makes a fresh key here, sends its CSR, and returns the certificate with the key attached.
    private async Task<X509Certificate2> RequestCertificateAsync(
        string operation, X509Certificate2? clientCertificate, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ThroughPkcs12(await RequestCertificateAsync(operation, clientCertificate, authorization, key, cancellationToken));
    }

    // The CSR signed by the given key; the issued certificate comes back with that key attached (a hardware key stays a handle).
    private async Task<X509Certificate2> RequestCertificateAsync(
        string operation, X509Certificate2? clientCertificate, AuthenticationHeaderValue? authorization, ECDsa key, CancellationToken cancellationToken)
    {
        using var http = Client(clientCertificate);
        using var request = Request(operation, key);
        request.Headers.Authorization = authorization;
        using var issued = await SendAsync(http, request, cancellationToken);
        return issued.CopyWithPrivateKey(key);
    }

    // RFC 7030 §3.2.3: HTTP Basic with the device id and its one-time token.
    private static AuthenticationHeaderValue Basic(string deviceId, string bootstrapToken) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{deviceId}:{bootstrapToken}")));

    private HttpClient Client(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler { SslOptions = Connection.RampartTls.ClientOptions(server.Host, trustedRoot, clientCertificate) };
        return new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static HttpRequestMessage Request(string operation, ECDsa key)
    {
        // The subject is the node's to decide (it names the device from the credentials); the CSR proves possession.
        var csr = new CertificateRequest("CN=rampart-device", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        return new HttpRequestMessage(HttpMethod.Post, ".well-known/est/" + operation)
        {
            Content = new StringContent(Convert.ToBase64String(csr), Encoding.ASCII, "application/pkcs10"),
        };
    }

    private static async Task<X509Certificate2> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new EstException((int)response.StatusCode, body.Length > 500 ? body[..500] : body);
        }

        // RFC 7030 §4.2.3: a base64 certs-only PKCS#7 holding the issued certificate.
        var cms = new SignedCms();
        cms.Decode(Convert.FromBase64String(body));
        return cms.Certificates.Count > 0
            ? X509CertificateLoader.LoadCertificate(cms.Certificates[0].RawData)
            : throw new EstException((int)response.StatusCode, "the response holds no certificate");
    }

    // A software key: through PKCS#12 so TLS on every platform can use it after the ECDsa is disposed.
    private static X509Certificate2 ThroughPkcs12(X509Certificate2 withKey)
    {
        using (withKey)
        {
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
    }
}

/// <summary>The node refused an EST request.</summary>
public sealed class EstException(int status, string detail) : Exception($"EST request refused ({status}): {detail}")
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;
}
