using System.Security.Cryptography;

namespace Rampart.Fleet.Audit;

/// <summary>
/// The node's audit key (ECDSA P-256). Signs checkpoints; its public half verifies them, also
/// offline with <c>rampart audit verify --audit-key</c>.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;

    /// <summary>Wraps a key; the instance takes ownership.</summary>
    public AuditSigningKey(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            throw new ArgumentException("the audit key must be ECDSA P-256", nameof(key));
        }

        _key = key;
        KeyId = KeyIdOf(key);
    }

    /// <summary>Hex SHA-256 of the SubjectPublicKeyInfo, shortened to 16 bytes.</summary>
    public string KeyId { get; }

    /// <summary>Signs a checkpoint for the entry with the given sequence number and hash.</summary>
    public AuditCheckpoint Sign(long sequence, byte[] entryHash, DateTimeOffset time)
    {
        time = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        var signature = _key.SignData(AuditCheckpoint.SignedBytes(sequence, entryHash, time), HashAlgorithmName.SHA256);
        return new AuditCheckpoint(sequence, entryHash, time, KeyId, signature);
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
    public void Dispose() => _key.Dispose();
}
