using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Rampart.Fleet.Audit;

/// <summary>
/// The chain hash: SHA-256 over a domain tag, the sequence number, the time, each text field
/// length-prefixed (so no two different entries encode to the same bytes), and the previous hash.
/// </summary>
public static class AuditHash
{
    /// <summary>Length in bytes of every chain hash.</summary>
    public const int Length = 32;

    private static readonly byte[] _domain = "rampart.audit.entry.v1"u8.ToArray();

    /// <summary>Computes the hash of one entry.</summary>
    public static byte[] Compute(
        long sequence,
        DateTimeOffset time,
        string actor,
        string action,
        string target,
        string outcome,
        string details,
        ReadOnlySpan<byte> previousHash)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        hash.AppendData(_domain);
        BinaryPrimitives.WriteInt64BigEndian(number, sequence);
        hash.AppendData(number);
        BinaryPrimitives.WriteInt64BigEndian(number, time.ToUnixTimeMilliseconds());
        hash.AppendData(number);
        AppendText(hash, actor);
        AppendText(hash, action);
        AppendText(hash, target);
        AppendText(hash, outcome);
        AppendText(hash, details);
        hash.AppendData(previousHash);
        return hash.GetHashAndReset();
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
