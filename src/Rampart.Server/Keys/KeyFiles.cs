using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>Reading keys and certificates from PEM files, with errors a person can act on.</summary>
internal static class KeyFiles
{
    public static void ImportPrivateKey(ECDsa key, string path, int? expectedBits = null)
    {
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException or IOException)
        {
            throw new NodeStartupException($"the key file {path} cannot be read: {exception.Message}", exception);
        }

        if (expectedBits is { } bits && key.KeySize != bits)
        {
            throw new NodeStartupException($"the key file {path} is not an ECDSA P-{bits} key");
        }
    }

    public static X509Certificate2 LoadCertificate(string certificatePath, string? keyPath = null)
    {
        try
        {
            return keyPath is null
                ? X509CertificateLoader.LoadCertificateFromFile(certificatePath)
                : X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException)
        {
            throw new NodeStartupException(
                $"the certificate {certificatePath}{(keyPath is null ? string.Empty : $" or its key {keyPath}")} cannot be read: {exception.Message}", exception);
        }
    }
}
