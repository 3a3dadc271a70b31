namespace Rampart.Pki.Keys;

/// <summary>Where a private key is held (RFC 7512 names the PKCS#11 case).</summary>
public enum KeyLocation
{
    /// <summary>A PKCS#8 file readable only by the node's user.</summary>
    File,

    /// <summary>A PKCS#8 file encrypted with a passphrase (PBES2).</summary>
    EncryptedFile,

    /// <summary>A PKCS#11 token (HSM), generated inside it and not extractable.</summary>
    Pkcs11,

    /// <summary>A TPM 2.0.</summary>
    Tpm,

    /// <summary>Not on this node (kept offline).</summary>
    Offline,
}
