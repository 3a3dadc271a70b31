using System.Security.Cryptography;
using System.Text;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// <c>rampart ca init</c>: prepares a new data directory's CA before its first start, with the
/// keys generated where <see cref="KeyStorageSettings"/> says — a PKCS#11 token, or files. The
/// token is opened (PIN checked) before anything is written; the settings are written last, so a
/// failure leaves no directory that points at keys that do not exist. The root and issuing keys
/// can instead be pairs the user generated in the token beforehand (<c>--root-key</c>,
/// <c>--issuing-key</c>): they are checked and adopted (<see cref="Pkcs11KeyAdoption"/>), and given
/// their labels back when anything after that fails.
/// </summary>
public static class CaInitializer
{
    /// <summary>Creates root and issuing CA in the provider and records the settings; returns the root's SHA-256 fingerprint.</summary>
    public static string Initialize(string dataDirectory, KeyStorageSettings settings, TimeProvider time, IReadOnlyDictionary<string, Pkcs11KeySelector>? adopt = null)
    {
        adopt ??= new Dictionary<string, Pkcs11KeySelector>();
        if (adopt.Count > 0 && settings.Pkcs11 is null)
        {
            throw new NodeStartupException("keys generated in an HSM beforehand need --pkcs11-module");
        }

        UnixProcess.RestrictNewFilesToOwner();
        using var directory = NodeDataDirectory.OpenExclusive(dataDirectory);
        if (File.Exists(directory.IssuingCertificatePath) || File.Exists(directory.DatabasePath) || File.Exists(Path.Combine(directory.Root, KeyStorageSettings.FileName)))
        {
            throw new NodeStartupException($"{directory.Root} is initialised already; 'ca init' prepares a new data directory before its first start");
        }

        using var provider = settings.Open(directory);
        string[] names = [KeyNames.RootCa, KeyNames.IssuingCa, KeyNames.Audit, KeyNames.FirmwareEcdsa, .. new[] { "root", "targets", "snapshot", "timestamp" }.Select(KeyNames.Tuf)];
        foreach (var name in names)
        {
            if (provider.Exists(name))
            {
                throw new NodeStartupException($"{Describe(settings)} holds a key '{Pkcs11KeyProvider.LabelPrefix}{name}' already (another node's?); use a token of its own or delete that key");
            }
        }

        var adopted = new Dictionary<string, string>();
        try
        {
            using var authority = adopt.Count == 0 ? CaFiles.LoadOrCreate(directory, provider, time, []) : CreateWithAdoptedKeys(directory, (Pkcs11KeyProvider)provider, adopt, adopted, time);
            if (provider is Pkcs11KeyProvider)
            {
                settings.Save(directory);
            }

            return NodeKeyring.Fingerprint(authority.Root);
        }
        catch (Exception exception) when (exception is KeyProviderException or System.Security.Cryptography.CryptographicException or Net.Pkcs11Interop.Common.Pkcs11Exception)
        {
            foreach (var (name, label) in adopted)
            {
                Pkcs11KeyAdoption.Release((Pkcs11KeyProvider)provider, name, label);
            }

            File.Delete(directory.RootCertificatePath);
            File.Delete(directory.IssuingCertificatePath);
            throw new NodeStartupException($"the CA could not be created in {Describe(settings)}: {exception.Message}", exception);
        }
    }

    // The CA of CaFiles.LoadOrCreate, with each adopted key opened instead of generated, and each certificate checked to carry the token's public key.
    private static CertificateAuthority CreateWithAdoptedKeys(
        NodeDataDirectory directory, Pkcs11KeyProvider provider, IReadOnlyDictionary<string, Pkcs11KeySelector> adopt, Dictionary<string, string> adopted, TimeProvider time)
    {
        foreach (var (name, selector) in adopt)
        {
            if (name is not (KeyNames.RootCa or KeyNames.IssuingCa))
            {
                throw new KeyProviderException($"only the root and issuing CA keys can be adopted, not '{name}'");
            }

            adopted[name] = Pkcs11KeyAdoption.Adopt(provider, name, selector);
        }

        using var rootKey = adopt.ContainsKey(KeyNames.RootCa) ? provider.Open(KeyNames.RootCa) : provider.Generate(KeyNames.RootCa, ECCurve.NamedCurves.nistP384);
        var issuingKey = adopt.ContainsKey(KeyNames.IssuingCa) ? provider.Open(KeyNames.IssuingCa) : provider.Generate(KeyNames.IssuingCa, ECCurve.NamedCurves.nistP256);
        var authority = CertificateAuthority.Create("Rampart", time.GetUtcNow(), rootKey, issuingKey);
        foreach (var (name, certificate) in new[] { (KeyNames.RootCa, authority.Root), (KeyNames.IssuingCa, authority.Issuing) })
        {
            using var inToken = provider.Open(name);
            if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(inToken.ExportSubjectPublicKeyInfo()))
            {
                authority.Dispose();
                throw new KeyProviderException($"the {name} certificate does not carry the public key of '{Pkcs11KeyProvider.LabelPrefix}{name}' in {provider.Settings}");
            }
        }

        OwnerOnlyFile.WriteAtomically(directory.RootCertificatePath, Encoding.ASCII.GetBytes(authority.Root.ExportCertificatePem()));
        OwnerOnlyFile.WriteAtomically(directory.IssuingCertificatePath, Encoding.ASCII.GetBytes(authority.Issuing.ExportCertificatePem()));
        return authority;
    }

    private static string Describe(KeyStorageSettings settings) => settings.Pkcs11?.ToString() ?? "the keys directory";
}
