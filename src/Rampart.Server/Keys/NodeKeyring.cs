using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Fleet.Audit;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// The node's own keys: the audit signing key and the TLS server certificate. Created on first
/// start, owner-only on disk, loaded on every start.
/// </summary>
public sealed class NodeKeyring : IDisposable
{
    /// <summary>How long a self-signed server certificate is valid (the CA/B baseline maximum).</summary>
    public static readonly TimeSpan TlsValidity = TimeSpan.FromDays(397);

    /// <summary>A server certificate closer than this to expiry is replaced at start.</summary>
    public static readonly TimeSpan TlsRenewBefore = TimeSpan.FromDays(30);

    private NodeKeyring(AuditSigningKey auditKey, X509Certificate2 tlsCertificate, IReadOnlyList<string> created)
    {
        AuditKey = auditKey;
        TlsCertificate = tlsCertificate;
        Created = created;
    }

    /// <summary>Signs audit checkpoints.</summary>
    public AuditSigningKey AuditKey { get; }

    /// <summary>The HTTPS listener's certificate with its private key.</summary>
    public X509Certificate2 TlsCertificate { get; }

    /// <summary>SHA-256 of the server certificate, colon-separated hex, for clients to pin.</summary>
    public string TlsFingerprint => Fingerprint(TlsCertificate);

    /// <summary>What this start created (for the audit log): <c>audit-key</c>, <c>tls-certificate</c>.</summary>
    public IReadOnlyList<string> Created { get; }

    /// <summary>Loads the keys, creating whichever are missing.</summary>
    public static NodeKeyring LoadOrCreate(NodeDataDirectory directory, EndpointAddress https, TimeProvider time)
    {
        var created = new List<string>();
        var auditKey = LoadOrCreateAuditKey(directory, created);
        var certificate = LoadOrCreateTlsCertificate(directory, https, time, created);
        return new NodeKeyring(auditKey, certificate, created);
    }

    /// <summary>Reads an audit public key (or key pair) from PEM.</summary>
    public static ECDsa LoadAuditPublicKey(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        catch (ArgumentException exception)
        {
            key.Dispose();
            throw new NodeStartupException($"{path} does not hold an ECDSA public key in PEM: {exception.Message}", exception);
        }
    }

    /// <summary>Colon-separated SHA-256 of a certificate.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Aggregate(
            new StringBuilder(), (text, pair) => text.Append(text.Length == 0 ? string.Empty : ":").Append(pair)).ToString();

    private static AuditSigningKey LoadOrCreateAuditKey(NodeDataDirectory directory, List<string> created)
    {
        var key = ECDsa.Create();
        try
        {
            if (File.Exists(directory.AuditKeyPath))
            {
                ImportPrivateKey(key, directory.AuditKeyPath);
            }
            else
            {
                key.GenerateKey(ECCurve.NamedCurves.nistP256);
                OwnerOnlyFile.WriteAtomically(directory.AuditKeyPath, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
                created.Add("audit-key");
            }

            // The public half beside the database, so it can be copied to wherever verifiers keep it.
            OwnerOnlyFile.WriteAtomically(directory.AuditPublicKeyPath, Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem()));
            return new AuditSigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static X509Certificate2 LoadOrCreateTlsCertificate(NodeDataDirectory directory, EndpointAddress https, TimeProvider time, List<string> created)
    {
        if (File.Exists(directory.TlsCertificatePath) && File.Exists(directory.TlsKeyPath))
        {
            var existing = LoadCertificate(directory);
            if (existing.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime > TlsRenewBefore)
            {
                return existing;
            }

            existing.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Rampart node", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(SubjectAlternativeNames(https));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + TlsValidity);
        OwnerOnlyFile.WriteAtomically(directory.TlsKeyPath, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        OwnerOnlyFile.WriteAtomically(directory.TlsCertificatePath, Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        created.Add("tls-certificate");
        return LoadCertificate(directory);
    }

    private static X509Extension SubjectAlternativeNames(EndpointAddress https)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        if (!https.Address.Equals(IPAddress.Any) && !https.Address.Equals(IPAddress.IPv6Any) && !IPAddress.IsLoopback(https.Address))
        {
            names.AddIpAddress(https.Address);
        }

        var host = Dns.GetHostName();
        if (!string.IsNullOrEmpty(host) && host != "localhost")
        {
            names.AddDnsName(host);
        }

        return names.Build();
    }

    private static X509Certificate2 LoadCertificate(NodeDataDirectory directory)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(directory.TlsCertificatePath, directory.TlsKeyPath);
        }
        catch (CryptographicException exception)
        {
            throw new NodeStartupException(
                $"the TLS certificate {directory.TlsCertificatePath} or its key {directory.TlsKeyPath} cannot be read: {exception.Message}", exception);
        }
    }

    private static void ImportPrivateKey(ECDsa key, string path)
    {
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            throw new NodeStartupException($"the key file {path} cannot be read: {exception.Message}", exception);
        }

        if (key.KeySize != 256)
        {
            throw new NodeStartupException($"the key file {path} is not an ECDSA P-256 key");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        AuditKey.Dispose();
        TlsCertificate.Dispose();
    }
}
