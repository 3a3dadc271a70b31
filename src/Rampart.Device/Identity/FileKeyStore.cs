using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Updates.Files;

namespace Rampart.Device.Identity;

/// <summary>
/// Key and certificate as PEM files in one directory: <c>device.key</c> (PKCS#8, mode 0600) and
/// <c>device.crt</c>. The directory is created 0700. Each file is written to a temporary name and
/// renamed, so a crash leaves the old pair or the new one, never half of either.
/// </summary>
public sealed class FileKeyStore(string directory) : IKeyStore
{
    /// <summary>The private key file.</summary>
    public string KeyPath { get; } = Path.Combine(directory, "device.key");

    /// <summary>The certificate file.</summary>
    public string CertificatePath { get; } = Path.Combine(directory, "device.crt");

    /// <inheritdoc />
    public async Task<X509Certificate2?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(KeyPath) || !File.Exists(CertificatePath))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(KeyPath) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException($"{KeyPath} is readable or writable by others; refusing to use a key that may be copied");
        }

        var certificatePem = await File.ReadAllTextAsync(CertificatePath, cancellationToken);
        var keyPem = await File.ReadAllTextAsync(KeyPath, cancellationToken);
        using var pem = X509Certificate2.CreateFromPem(certificatePem, keyPem);

        // Through PKCS#12 so TLS on every platform can use the key.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <inheritdoc />
    public async Task SaveAsync(X509Certificate2 certificateWithKey, CancellationToken cancellationToken)
    {
        var key = (AsymmetricAlgorithm?)certificateWithKey.GetECDsaPrivateKey() ?? certificateWithKey.GetRSAPrivateKey()
            ?? throw new ArgumentException("the certificate has no private key", nameof(certificateWithKey));
        using (key)
        {
            CreateDirectory();
            await WriteAtomicallyAsync(KeyPath, key.ExportPkcs8PrivateKeyPem() + "\n", cancellationToken);
            await WriteAtomicallyAsync(CertificatePath, certificateWithKey.ExportCertificatePem() + "\n", cancellationToken);
        }
    }

    private void CreateDirectory()
    {
        var full = Path.GetDirectoryName(KeyPath)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
        }
        else
        {
            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    // One durable write for every file Rampart keeps: 0600, fsync, rename, directory fsync (a crash leaves the old or the new key).
    private static Task WriteAtomicallyAsync(string path, string content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(content));
        return Task.CompletedTask;
    }
}
