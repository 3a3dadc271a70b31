using System.Security.Cryptography;

namespace Rampart.Pki.Keys;

/// <summary>
/// Where the node's signing keys live: files in the data directory (<see cref="FileKeyProvider"/>) or
/// a PKCS#11 token (<see cref="Pkcs11.Pkcs11KeyProvider"/>). Every key is ECDSA and is named by its
/// role (<see cref="KeyNames"/>); the CA, the audit log and the update signer only see an
/// <see cref="ECDsa"/> and never learn which provider holds it.
/// </summary>
public interface ISigningKeyProvider : IDisposable
{
    /// <summary>Where keys are held, as the crypto inventory reports it: <c>file</c>, <c>pkcs11</c>.</summary>
    KeyLocation Location { get; }

    /// <summary>True when a key of this name exists.</summary>
    bool Exists(string name);

    /// <summary>Generates a key inside the provider (for PKCS#11: inside the token, never extractable) and returns a handle to it.</summary>
    ECDsa Generate(string name, ECCurve curve);

    /// <summary>Opens an existing key; throws <see cref="KeyProviderException"/> when it is missing.</summary>
    ECDsa Open(string name);

    /// <summary>Destroys a key (a key moved off the node by a ceremony, a retired key); nothing when there is none.</summary>
    void Delete(string name);

    /// <summary>Gives an existing key another name (a key rotation promotes the next key); replaces nothing: <paramref name="to"/> must not exist.</summary>
    void Rename(string from, string to);
}
