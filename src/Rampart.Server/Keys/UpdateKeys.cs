using System.Security.Cryptography;
using Rampart.Pki.Keys;

namespace Rampart.Server.Keys;

/// <summary>
/// Where the update pipeline's ECDSA keys (the TUF role keys and the firmware ECDSA key) are held: in
/// the node's PKCS#11 token when <c>key-storage.json</c> says <c>updateKeysInToken</c> (generated
/// inside it, never extractable), else as files in <c>keys/</c> protected by <see cref="KeyProtector"/>
/// (encrypted with <c>Rampart:Keys:PassphraseFile</c> when set). A key the token holds is used from
/// the token; a key file left from before the token was named is still used, so a directory that
/// predates this setting keeps working. The stateful LMS key is never here (it stays a sealed file).
/// </summary>
public sealed class UpdateKeys(string keysDirectory, KeyProtector protector, ISigningKeyProvider? token)
{
    /// <summary>Update keys as files only (no token).</summary>
    public static UpdateKeys Files(string dataDirectory, KeyProtector protector) => new(Path.Combine(dataDirectory, "keys"), protector, null);

    /// <summary>True when new update keys are generated in a token.</summary>
    public bool InToken => token is not null;

    /// <summary>The file a key of this name lives in when it is not in the token.</summary>
    public string PathOf(string name) => Path.Combine(keysDirectory, name + ".key.pem");

    /// <summary>True when the key is on this node (in the token or as a file).</summary>
    public bool Exists(string name) => File.Exists(PathOf(name)) || (token?.Exists(name) ?? false);

    /// <summary>Where the key is: <see cref="KeyLocation.Pkcs11"/>, a (possibly encrypted) file, or <see cref="KeyLocation.Offline"/>.</summary>
    public KeyLocation LocationOf(string name) =>
        File.Exists(PathOf(name)) ? (protector.Encrypts ? KeyLocation.EncryptedFile : KeyLocation.File)
        : token?.Exists(name) == true ? KeyLocation.Pkcs11
        : KeyLocation.Offline;

    /// <summary>Opens an existing key: the file when there is one, else the token's.</summary>
    public ECDsa Open(string name)
    {
        if (File.Exists(PathOf(name)) || token is null)
        {
            return protector.LoadEcdsa(PathOf(name));
        }

        try
        {
            return token.Open(name);
        }
        catch (KeyProviderException exception)
        {
            throw new InvalidOperationException($"the update key '{name}' cannot be opened: {exception.Message}", exception);
        }
    }

    /// <summary>A new ECDSA P-256 key: generated in the token when one is named, else written as a protected file.</summary>
    public ECDsa Create(string name)
    {
        if (token is not null)
        {
            try
            {
                return token.Generate(name, ECCurve.NamedCurves.nistP256);
            }
            catch (KeyProviderException exception)
            {
                throw new InvalidOperationException($"the update key '{name}' cannot be generated: {exception.Message}", exception);
            }
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        protector.SaveEcdsa(PathOf(name), key);
        return key;
    }

    /// <summary>Removes the key from the node (file and token): what the TUF ceremony does when a new root no longer lists it.</summary>
    public void Delete(string name)
    {
        File.Delete(PathOf(name));
        token?.Delete(name);
    }
}
