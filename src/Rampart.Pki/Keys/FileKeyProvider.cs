using System.Security.Cryptography;
using System.Text;

namespace Rampart.Pki.Keys;

/// <summary>
/// Keys as unencrypted PKCS#8 PEM files <c>NAME.key.pem</c> in one directory, written owner-only by
/// <paramref name="write"/> (the host's atomic owner-only writer). What every node did before key providers.
/// </summary>
public sealed class FileKeyProvider(string directory, Action<string, byte[]> write) : ISigningKeyProvider
{
    /// <inheritdoc />
    public KeyLocation Location => KeyLocation.File;

    /// <summary>The file a key of this name lives in.</summary>
    public string PathOf(string name) => Path.Combine(directory, name + ".key.pem");

    /// <inheritdoc />
    public bool Exists(string name) => File.Exists(PathOf(name));

    /// <inheritdoc />
    public ECDsa Generate(string name, ECCurve curve)
    {
        var key = ECDsa.Create(curve);
        write(PathOf(name), Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        return key;
    }

    /// <inheritdoc />
    public ECDsa Open(string name)
    {
        var path = PathOf(name);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new KeyProviderException($"{path} does not hold an ECDSA private key: {exception.Message}", exception);
        }
    }

    /// <inheritdoc />
    public void Delete(string name) => File.Delete(PathOf(name));

    /// <inheritdoc />
    public void Rename(string from, string to) => File.Move(PathOf(from), PathOf(to), overwrite: false);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
