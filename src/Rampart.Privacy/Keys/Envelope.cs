using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Rampart.Privacy.Keys;

/// <summary>
/// Envelope encryption (AES-256-GCM, NIST SP 800-38D): each subject has a random 256-bit data key;
/// the data key is stored only wrapped by a key-encryption key (KEK), and the subject's personal
/// fields only sealed by the data key. Rotating the KEK re-wraps data keys and touches no data;
/// destroying a data key makes everything sealed with it unreadable (crypto-shredding, art. 17).
/// Both layers bind the subject's pseudonym as associated data, so a sealed value or wrapped key
/// moved to another subject's row fails to open.
/// </summary>
public sealed class Envelope(IKeyEncryptionKeys keks)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>A new data key for <paramref name="pseudonym"/>, plain and wrapped by the current KEK.</summary>
    public (byte[] DataKey, WrappedKey Wrapped) NewDataKey(string pseudonym)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        return (dataKey, Wrap(dataKey, pseudonym, keks.CurrentVersion));
    }

    /// <summary>Wraps <paramref name="dataKey"/> with the KEK of <paramref name="version"/>.</summary>
    public WrappedKey Wrap(byte[] dataKey, string pseudonym, int version) =>
        new(version, Seal(keks.Get(version), dataKey, Associated("kek", pseudonym, version)));

    /// <summary>The data key inside <paramref name="wrapped"/>; throws <see cref="CryptographicException"/> when it does not open.</summary>
    public byte[] Unwrap(WrappedKey wrapped, string pseudonym) =>
        Open(keks.Get(wrapped.KekVersion), wrapped.Bytes, Associated("kek", pseudonym, wrapped.KekVersion));

    /// <summary>Re-wraps a key under the current KEK without touching what the data key sealed.</summary>
    public WrappedKey Rewrap(WrappedKey wrapped, string pseudonym, int version)
    {
        var dataKey = Unwrap(wrapped, pseudonym);
        try
        {
            return Wrap(dataKey, pseudonym, version);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// <paramref name="wrapped"/> under the current KEK, re-wrapped if a rotation began since it was
    /// made: called inside the transaction that stores it, so no key is stored under a KEK a rotation
    /// could have finished with (<see cref="KekRotation"/>).
    /// </summary>
    public WrappedKey Current(WrappedKey wrapped, string pseudonym) =>
        wrapped.KekVersion == keks.CurrentVersion ? wrapped : Rewrap(wrapped, pseudonym, keks.CurrentVersion);

    /// <summary>Seals <paramref name="plaintext"/> with a subject's data key.</summary>
    public static byte[] SealWith(byte[] dataKey, ReadOnlySpan<byte> plaintext, string pseudonym) => Seal(dataKey, plaintext, Associated("data", pseudonym, 0));

    /// <summary>Opens what <see cref="SealWith(byte[], ReadOnlySpan{byte}, string)"/> sealed.</summary>
    public static byte[] OpenWith(byte[] dataKey, ReadOnlySpan<byte> sealedBytes, string pseudonym) => Open(dataKey, sealedBytes, Associated("data", pseudonym, 0));

    /// <summary>Seals with a data key, binding <paramref name="context"/> (an archived row's device and time) as well as the pseudonym.</summary>
    public static byte[] SealWith(byte[] dataKey, ReadOnlySpan<byte> plaintext, string pseudonym, string context) => Seal(dataKey, plaintext, Associated("archive", pseudonym + "/" + context, 0));

    /// <summary>Opens what the context-bound <see cref="SealWith(byte[], ReadOnlySpan{byte}, string, string)"/> sealed.</summary>
    public static byte[] OpenWith(byte[] dataKey, ReadOnlySpan<byte> sealedBytes, string pseudonym, string context) => Open(dataKey, sealedBytes, Associated("archive", pseudonym + "/" + context, 0));

    private static byte[] Associated(string layer, string pseudonym, int version)
    {
        var bytes = Encoding.UTF8.GetBytes($"rampart-privacy/{layer}/{pseudonym}/");
        var associated = new byte[bytes.Length + 4];
        bytes.CopyTo(associated, 0);
        BinaryPrimitives.WriteInt32BigEndian(associated.AsSpan(bytes.Length), version);
        return associated;
    }

    // nonce ‖ ciphertext ‖ tag; a fresh random 96-bit nonce per seal (keys seal few values, far below the 2^32 bound of SP 800-38D §8.3).
    private static byte[] Seal(byte[] key, ReadOnlySpan<byte> plaintext, byte[] associated)
    {
        var output = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceBytes, plaintext.Length), output.AsSpan(NonceBytes + plaintext.Length), associated);
        return output;
    }

    private static byte[] Open(byte[] key, ReadOnlySpan<byte> sealedBytes, byte[] associated)
    {
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("the sealed value is too short");
        }

        var length = sealedBytes.Length - NonceBytes - TagBytes;
        var plaintext = new byte[length];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(sealedBytes[..NonceBytes], sealedBytes.Slice(NonceBytes, length), sealedBytes[(NonceBytes + length)..], plaintext, associated);
        return plaintext;
    }
}

/// <summary>A data key wrapped by the KEK of <see cref="KekVersion"/>.</summary>
public sealed record WrappedKey(int KekVersion, byte[] Bytes);
