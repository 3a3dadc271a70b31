using System.Security.Cryptography;

namespace Rampart.Fleet.Secrets;

/// <summary>
/// Seals small secrets the node must read back (TOTP seeds) with AES-256-GCM under a node key kept
/// in the owner-only keys folder, so a copy of the database alone does not reveal them. The
/// associated data binds a sealed value to what it belongs to (a user name), so it cannot be moved.
/// </summary>
public sealed class SecretBox(byte[] key) : IDisposable
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly AesGcm _aes = new(key, TagBytes);

    /// <summary>nonce ‖ ciphertext ‖ tag.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedValue = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedValue.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        _aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(NonceBytes, plaintext.Length), sealedValue.AsSpan(NonceBytes + plaintext.Length), associatedData);
        return sealedValue;
    }

    /// <summary>Opens a sealed value; throws <see cref="CryptographicException"/> if it was altered or moved.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData)
    {
        if (sealedValue.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("sealed value too short");
        }

        var plaintext = new byte[sealedValue.Length - NonceBytes - TagBytes];
        _aes.Decrypt(sealedValue[..NonceBytes], sealedValue[NonceBytes..^TagBytes], sealedValue[^TagBytes..], plaintext, associatedData);
        return plaintext;
    }

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();
}
