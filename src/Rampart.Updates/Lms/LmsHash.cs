using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rampart.Updates.Lms;

/// <summary>The SHA-256 computations RFC 8554 names, shared by signing and verification.</summary>
internal static class LmsHash
{
    // Domain separators (§4.3 / §5.3): which hash is being computed.
    public const ushort DomainPublic = 0x8080;
    public const ushort DomainMessage = 0x8181;
    public const ushort DomainLeaf = 0x8282;
    public const ushort DomainInterior = 0x8383;
    public const int IdentifierLength = 16;

    /// <summary>§3.1.3: coef(S, i, w) = (2^w − 1) AND (byte(S, floor(i·w/8)) >> (8 − (w·(i mod 8/w) + w))).</summary>
    public static int Coefficient(ReadOnlySpan<byte> s, int i, int w) =>
        ((1 << w) - 1) & (s[i * w / 8] >> (8 - ((w * (i % (8 / w))) + w)));

    /// <summary>Q || Cksm(Q) for a message (§4.4, Algorithm 3 step 5 / 4b step 3).</summary>
    public static void MessageDigits(LmOtsType type, ReadOnlySpan<byte> identifier, uint q, ReadOnlySpan<byte> c, ReadOnlySpan<byte> message, Span<byte> digits)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(identifier);
        AppendUInt32(hash, q);
        AppendUInt16(hash, DomainMessage);
        hash.AppendData(c);
        hash.AppendData(message);
        hash.GetHashAndReset(digits[..LmOtsType.N]);

        var sum = 0;
        for (var i = 0; i < LmOtsType.N * 8 / type.W; i++)
        {
            sum += ((1 << type.W) - 1) - Coefficient(digits, i, type.W);
        }

        BinaryPrimitives.WriteUInt16BigEndian(digits[LmOtsType.N..], (ushort)(sum << type.LeftShift));
    }

    /// <summary>Advances one Winternitz chain value from step <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static void Chain(IncrementalHash hash, ReadOnlySpan<byte> identifier, uint q, int i, int from, int to, Span<byte> value)
    {
        for (var j = from; j < to; j++)
        {
            hash.AppendData(identifier);
            AppendUInt32(hash, q);
            AppendUInt16(hash, (ushort)i);
            hash.AppendData([(byte)j]);
            hash.AppendData(value);
            hash.GetHashAndReset(value);
        }
    }

    /// <summary>T[r] of a leaf: H(I || u32str(r) || u16str(D_LEAF) || OTS public key).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> identifier, uint node, ReadOnlySpan<byte> otsPublicKey)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(identifier);
        AppendUInt32(hash, node);
        AppendUInt16(hash, DomainLeaf);
        hash.AppendData(otsPublicKey);
        return hash.GetHashAndReset();
    }

    /// <summary>T[r] of an interior node: H(I || u32str(r) || u16str(D_INTR) || left || right).</summary>
    public static byte[] Interior(ReadOnlySpan<byte> identifier, uint node, ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(identifier);
        AppendUInt32(hash, node);
        AppendUInt16(hash, DomainInterior);
        hash.AppendData(left);
        hash.AppendData(right);
        return hash.GetHashAndReset();
    }

    public static void AppendUInt32(IncrementalHash hash, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        hash.AppendData(bytes);
    }

    public static void AppendUInt16(IncrementalHash hash, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        hash.AppendData(bytes);
    }
}
