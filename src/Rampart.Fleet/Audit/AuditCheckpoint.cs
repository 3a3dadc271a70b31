using System.Buffers.Binary;

namespace Rampart.Fleet.Audit;

/// <summary>
/// A signed statement "the chain had this hash at this entry". Checkpoints detect a rewrite of
/// the chain (recomputing every later hash) and a truncation of entries the checkpoint covered.
/// <paramref name="MlDsa65Signature"/>, when present, is a second signature over the same bytes by the
/// audit key's ML-DSA-65 (FIPS 204) companion, so the checkpoint still holds against an attacker who
/// can forge ECDSA (issue 20; docs/keys.md). Checkpoints from before it have none and verify by
/// ECDSA alone.
/// </summary>
public sealed record AuditCheckpoint(long Sequence, byte[] EntryHash, DateTimeOffset Time, string KeyId, byte[] Signature, byte[]? MlDsa65Signature = null)
{
    private static readonly byte[] _domain = "rampart.audit.checkpoint.v1"u8.ToArray();

    /// <summary>The exact bytes the audit key signs.</summary>
    public static byte[] SignedBytes(long sequence, ReadOnlySpan<byte> entryHash, DateTimeOffset time)
    {
        var bytes = new byte[_domain.Length + 8 + entryHash.Length + 8];
        var span = bytes.AsSpan();
        _domain.CopyTo(span);
        span = span[_domain.Length..];
        BinaryPrimitives.WriteInt64BigEndian(span, sequence);
        entryHash.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt64BigEndian(span[(8 + entryHash.Length)..], time.ToUnixTimeMilliseconds());
        return bytes;
    }
}
