using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// <c>rampart ca init</c>: prepares a new data directory's CA before its first start, with the
/// keys generated where <see cref="KeyStorageSettings"/> says — a PKCS#11 token, or files. The
/// token is opened (PIN checked) before anything is written; the settings are written last, so a
/// failure leaves no directory that points at keys that do not exist.
/// </summary>
public static class CaInitializer
{
    /// <summary>Creates root and issuing CA in the provider and records the settings; returns the root's SHA-256 fingerprint.</summary>
    public static string Initialize(string dataDirectory, KeyStorageSettings settings, TimeProvider time)
    {
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

        try
        {
            using var authority = CaFiles.LoadOrCreate(directory, provider, time, []);
            if (provider is Pkcs11KeyProvider)
            {
                settings.Save(directory);
            }

            return NodeKeyring.Fingerprint(authority.Root);
        }
        catch (Exception exception) when (exception is KeyProviderException or System.Security.Cryptography.CryptographicException)
        {
            File.Delete(directory.RootCertificatePath);
            File.Delete(directory.IssuingCertificatePath);
            throw new NodeStartupException($"the CA could not be created in {Describe(settings)}: {exception.Message}", exception);
        }
    }

    private static string Describe(KeyStorageSettings settings) => settings.Pkcs11?.ToString() ?? "the keys directory";
}
