using System.Security.Cryptography;
using Rampart.Updates.Firmware;

namespace Rampart.Fleet.Audit;

/// <summary>
/// The node's audit key (ECDSA P-256), with an optional ML-DSA-65 companion (FIPS 204). Signs
/// checkpoints, with both when the companion is there; the public halves verify them, also offline
/// with <c>rampart audit verify --audit-key</c> (and <c>--audit-ml-dsa-key</c>).
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;
    private readonly MlDsa65? _mlDsa;

    /// <summary>Wraps a key and, optionally, its ML-DSA-65 companion; the instance takes ownership of both.</summary>
    public AuditSigningKey(ECDsa key, MlDsa65? mlDsa65 = null)
    {
        if (key.KeySize != 256)
        {
            throw new ArgumentException("the audit key must be ECDSA P-256", nameof(key));
        }

        _key = key;
        _mlDsa = mlDsa65;
        KeyId = KeyIdOf(key);
    }

    /// <summary>Hex SHA-256 of the SubjectPublicKeyInfo, shortened to 16 bytes.</summary>
    public string KeyId { get; }

    /// <summary>The ML-DSA-65 companion's encoded public key (1,952 bytes), or null when the key has none.</summary>
    public byte[]? MlDsa65PublicKey => _mlDsa?.PublicKey;

    /// <summary>Signs a checkpoint for the entry with the given sequence number and hash (ECDSA, and ML-DSA-65 when present, over the same bytes).</summary>
    public AuditCheckpoint Sign(long sequence, byte[] entryHash, DateTimeOffset time)
    {
        time = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        var signed = AuditCheckpoint.SignedBytes(sequence, entryHash, time);
        var signature = _key.SignData(signed, HashAlgorithmName.SHA256);
        return new AuditCheckpoint(sequence, entryHash, time, KeyId, signature, _mlDsa?.Sign(signed));
    }

    /// <summary>The public key, for verifiers.</summary>
    public ECDsa ExportPublic()
    {
        var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(_key.ExportSubjectPublicKeyInfo(), out _);
        return verifier;
    }

    /// <summary>The key id of any P-256 key, public or private.</summary>
    public static string KeyIdOf(ECDsa key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 16));

    /// <inheritdoc />
    public void Dispose()
    {
        _key.Dispose();
        _mlDsa?.Dispose();
    }
}
