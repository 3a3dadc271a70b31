using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Pki.Authority;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// Rampart's CA on disk: <c>ca-root.crt.pem</c>, <c>ca-issuing.crt.pem</c>, and their keys in
/// <c>keys/</c>. The root key is needed only to create or re-issue the issuing CA; it can be moved
/// off the node (or never be there, when an existing pair is imported).
/// </summary>
public static class CaFiles
{
    /// <summary>Loads the CA, creating a new root and issuing CA on first start.</summary>
    public static CertificateAuthority LoadOrCreate(NodeDataDirectory directory, TimeProvider time, List<string> created)
    {
        if (File.Exists(directory.IssuingCertificatePath))
        {
            return Load(directory);
        }

        var (authority, rootKey) = CertificateAuthority.Create("Rampart", time.GetUtcNow());
        using (rootKey)
        {
            using var issuingKey = authority.Issuing.GetECDsaPrivateKey()!;
            OwnerOnlyFile.WriteAtomically(directory.RootKeyPath, Encoding.ASCII.GetBytes(rootKey.ExportPkcs8PrivateKeyPem()));
            OwnerOnlyFile.WriteAtomically(directory.IssuingKeyPath, Encoding.ASCII.GetBytes(issuingKey.ExportPkcs8PrivateKeyPem()));
            OwnerOnlyFile.WriteAtomically(directory.RootCertificatePath, Encoding.ASCII.GetBytes(authority.Root.ExportCertificatePem()));
            OwnerOnlyFile.WriteAtomically(directory.IssuingCertificatePath, Encoding.ASCII.GetBytes(authority.Issuing.ExportCertificatePem()));
        }

        created.Add("ca");
        return authority;
    }

    /// <summary>
    /// Installs an existing root and issuing CA (the issuing key must be given; the root key need not).
    /// Refuses when the directory has a CA already or the pair does not fit together.
    /// </summary>
    public static CertificateAuthority Import(NodeDataDirectory directory, string rootPem, string issuingPem, string issuingKeyPem)
    {
        if (File.Exists(directory.IssuingCertificatePath))
        {
            throw new NodeStartupException($"{directory.Root} has a CA already; a CA is imported before the node's first start");
        }

        CertificateAuthority authority;
        try
        {
            var root = X509Certificate2.CreateFromPem(rootPem);
            using var issuingPublic = X509Certificate2.CreateFromPem(issuingPem);
            using var key = ECDsa.Create();
            key.ImportFromPem(issuingKeyPem);
            authority = new CertificateAuthority(root, issuingPublic.CopyWithPrivateKey(key));
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            throw new NodeStartupException($"the CA cannot be imported: {exception.Message}", exception);
        }

        if (!Fleet.Enrollment.CaChain.ChainsTo(authority.Issuing, authority.Root, DateTimeOffset.UtcNow))
        {
            authority.Dispose();
            throw new NodeStartupException("the issuing CA does not chain to the given root at this time");
        }

        using (var issuingKey = authority.Issuing.GetECDsaPrivateKey()!)
        {
            OwnerOnlyFile.WriteAtomically(directory.IssuingKeyPath, Encoding.ASCII.GetBytes(issuingKey.ExportPkcs8PrivateKeyPem()));
        }

        OwnerOnlyFile.WriteAtomically(directory.RootCertificatePath, Encoding.ASCII.GetBytes(authority.Root.ExportCertificatePem()));
        OwnerOnlyFile.WriteAtomically(directory.IssuingCertificatePath, Encoding.ASCII.GetBytes(authority.Issuing.ExportCertificatePem()));
        return authority;
    }

    private static CertificateAuthority Load(NodeDataDirectory directory)
    {
        var root = KeyFiles.LoadCertificate(directory.RootCertificatePath);
        var issuing = KeyFiles.LoadCertificate(directory.IssuingCertificatePath, directory.IssuingKeyPath);
        try
        {
            return new CertificateAuthority(root, issuing);
        }
        catch (ArgumentException exception)
        {
            root.Dispose();
            issuing.Dispose();
            throw new NodeStartupException($"the CA in {directory.Root} is inconsistent: {exception.Message}", exception);
        }
    }
}
