using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Pki.Trust;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Pki.Profiles;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// The node's own keys: the audit signing key, Rampart's CA, and the TLS server certificate the CA
/// issues for the node. Created on first start, owner-only on disk, loaded on every start.
/// </summary>
public sealed class NodeKeyring : IDisposable
{
    /// <summary>Validity of the node's server certificate (the CA/B baseline maximum).</summary>
    public static readonly TimeSpan TlsValidity = TimeSpan.FromDays(397);

    /// <summary>A server certificate closer than this to expiry is replaced at start.</summary>
    public static readonly TimeSpan TlsRenewBefore = TimeSpan.FromDays(30);

    private readonly X509Certificate2? _tlsCertificate;

    private NodeKeyring(ISigningKeyProvider provider, bool updateKeysInToken, AuditSigningKey auditKey, byte[] secretBoxKey, CertificateAuthority authority, X509Certificate2? tlsCertificate, IReadOnlyList<string> created)
    {
        KeyProvider = provider;
        UpdateKeyToken = updateKeysInToken ? provider : null;
        AuditKey = auditKey;
        SecretBoxKey = secretBoxKey;
        Authority = authority;
        _tlsCertificate = tlsCertificate;
        Created = created;
    }

    /// <summary>Where the CA and audit keys are held (files in <c>keys/</c> or a PKCS#11 token).</summary>
    public ISigningKeyProvider KeyProvider { get; }

    /// <summary>The token that holds the TUF and firmware ECDSA keys (<see cref="UpdateKeys"/>), or null when they are files.</summary>
    public ISigningKeyProvider? UpdateKeyToken { get; }

    /// <summary>Signs audit checkpoints.</summary>
    public AuditSigningKey AuditKey { get; }

    /// <summary>AES-256 key sealing secrets the node must read back (TOTP seeds).</summary>
    public byte[] SecretBoxKey { get; }

    /// <summary>Rampart's CA (root certificate and issuing CA with key).</summary>
    public CertificateAuthority Authority { get; }

    /// <summary>The HTTPS listener's certificate with its private key, issued by <see cref="Authority"/>.</summary>
    public X509Certificate2 TlsCertificate => _tlsCertificate ?? throw new InvalidOperationException("this keyring was opened without the server certificate");

    /// <summary>SHA-256 of the server certificate, colon-separated hex, for clients to pin.</summary>
    public string TlsFingerprint => Fingerprint(TlsCertificate);

    /// <summary>What this start created (for the audit log): <c>audit-key</c>, <c>ca</c>, <c>tls-certificate</c>.</summary>
    public IReadOnlyList<string> Created { get; }

    /// <summary>
    /// Loads the keys, creating whichever are missing; a new server certificate is recorded as
    /// issued. With <paramref name="names"/> null (admin commands on a stopped node) the server
    /// certificate is left alone.
    /// </summary>
    public static async Task<NodeKeyring> LoadOrCreateAsync(
        NodeDataDirectory directory, ServerNames? names, ICertificateStore certificates, TimeProvider time, CancellationToken cancellationToken)
    {
        var created = new List<string>();
        var settings = KeyStorageSettings.Load(directory);
        var provider = settings.Open(directory);
        AuditSigningKey? auditKey = null;
        CertificateAuthority? authority = null;
        try
        {
            auditKey = LoadOrCreateAuditKey(directory, provider, created);
            authority = CaFiles.LoadOrCreate(directory, provider, time, created);
            var secretBoxKey = LoadOrCreateSecretBoxKey(directory, created);
            var certificate = names is null ? null : await LoadOrIssueTlsCertificateAsync(directory, authority, names, certificates, time, created, cancellationToken);
            return new NodeKeyring(provider, settings.Pkcs11 is not null && settings.UpdateKeysInToken, auditKey, secretBoxKey, authority, certificate, created);
        }
        catch
        {
            authority?.Dispose();
            auditKey?.Dispose();
            provider.Dispose();
            throw;
        }
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
        catch (Exception exception) when (exception is ArgumentException or IOException or CryptographicException)
        {
            key.Dispose();
            throw new NodeStartupException($"{path} does not hold an ECDSA public key in PEM: {exception.Message}", exception);
        }
    }

    /// <summary>Colon-separated SHA-256 of a certificate.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(pair => new string(pair)));

    private static AuditSigningKey LoadOrCreateAuditKey(NodeDataDirectory directory, ISigningKeyProvider provider, List<string> created)
    {
        ECDsa key;
        try
        {
            if (provider.Exists(KeyNames.AuditNext))
            {
                // The log may already hand over to that key (AuditKeyRotator): signing on with either key could break the chain.
                throw new NodeStartupException($"an audit key rotation was interrupted ({provider.Location}: key '{KeyNames.AuditNext}' exists); run 'rampart audit rotate-key --data {directory.Root}' to finish it");
            }

            if (provider.Exists(KeyNames.Audit))
            {
                key = provider.Open(KeyNames.Audit);
            }
            else
            {
                key = provider.Generate(KeyNames.Audit, ECCurve.NamedCurves.nistP256);
                created.Add("audit-key");
            }
        }
        catch (KeyProviderException exception)
        {
            throw new NodeStartupException($"the audit signing key cannot be loaded: {exception.Message}", exception);
        }

        try
        {
            if (key.KeySize != 256)
            {
                throw new NodeStartupException($"the audit signing key ({provider.Location}) is not an ECDSA P-256 key");
            }

            // The public half beside the database, so it can be copied to wherever verifiers keep it.
            OwnerOnlyFile.WriteAtomically(directory.AuditPublicKeyPath, Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem()));
            return new AuditSigningKey(key, AuditMlDsaKey.LoadOrCreate(directory, created));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static byte[] LoadOrCreateSecretBoxKey(NodeDataDirectory directory, List<string> created)
    {
        var path = Path.Combine(directory.KeysDirectory, "secret-box.key");
        if (File.Exists(path))
        {
            var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
            return key.Length == 32 ? key : throw new NodeStartupException($"{path} does not hold a 256-bit key");
        }

        var fresh = RandomNumberGenerator.GetBytes(32);
        OwnerOnlyFile.WriteAtomically(path, Encoding.ASCII.GetBytes(Convert.ToBase64String(fresh) + "\n"));
        created.Add("secret-box-key");
        return fresh;
    }

    private static async Task<X509Certificate2> LoadOrIssueTlsCertificateAsync(
        NodeDataDirectory directory,
        CertificateAuthority authority,
        ServerNames names,
        ICertificateStore certificates,
        TimeProvider time,
        List<string> created,
        CancellationToken cancellationToken)
    {
        var profile = CertificateProfiles.Server(TlsValidity, names.DnsNames, names.Addresses);
        if (File.Exists(directory.TlsCertificatePath) && File.Exists(directory.TlsKeyPath))
        {
            var existing = KeyFiles.LoadCertificate(directory.TlsCertificatePath, directory.TlsKeyPath);
            // Issued by the current issuing CA (after a rollover the server certificate moves to the new one at once).
            if (FixedRootChain.Verify(existing, authority.Root, [authority.Issuing])
                && existing.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime > TlsRenewBefore
                && names.MatchesCertificate(existing))
            {
                return existing;
            }

            existing.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=rampart", key, HashAlgorithmName.SHA256);
        var issuer = new CertificateIssuer(authority, certificates, time);
        var (template, refusal) = await issuer.PrepareAsync(profile, names.NodeName, request, cancellationToken);
        if (refusal is not null)
        {
            throw new NodeStartupException($"the node's server certificate cannot be issued: {refusal.Message}");
        }

        var (_, certificate) = await issuer.SignAsync(profile, names.NodeName, template!, cancellationToken);
        using (certificate)
        {
            OwnerOnlyFile.WriteAtomically(directory.TlsKeyPath, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
            OwnerOnlyFile.WriteAtomically(directory.TlsCertificatePath, Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        }

        created.Add("tls-certificate");
        return KeyFiles.LoadCertificate(directory.TlsCertificatePath, directory.TlsKeyPath);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        AuditKey.Dispose();
        Authority.Dispose();
        _tlsCertificate?.Dispose();
        KeyProvider.Dispose();
    }
}
