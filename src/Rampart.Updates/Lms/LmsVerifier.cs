using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rampart.Updates.Lms;

/// <summary>
/// Verification of LMS (RFC 8554 §5.4.2) and HSS (§6.3) signatures. Every length and type is checked
/// before it is used, so malformed input is refused, never read past. Stateless and thread-safe.
/// </summary>
public static class LmsVerifier
{
    private const int IdentifierLength = LmsHash.IdentifierLength;

    /// <summary>
    /// Verifies an HSS signature (§6.3): <c>u32str(L) || LMS public key</c> as the public key, and
    /// <c>u32str(Nspk) || (LMS signature || LMS public key) × Nspk || LMS signature</c> as the signature,
    /// with Nspk = L − 1. Levels are limited to 8 (the RFC's maximum).
    /// </summary>
    public static bool VerifyHss(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length < 4 || signature.Length < 4)
        {
            return false;
        }

        var levels = BinaryPrimitives.ReadUInt32BigEndian(publicKey);
        var signedKeys = BinaryPrimitives.ReadUInt32BigEndian(signature);
        if (levels is < 1 or > 8 || signedKeys != levels - 1)
        {
            return false;
        }

        var key = publicKey[4..];
        var rest = signature[4..];
        for (var i = 0; i < signedKeys; i++)
        {
            if (SignatureLength(rest) is not { } lmsSignatureLength || rest.Length < lmsSignatureLength + 8)
            {
                return false;
            }

            var lmsSignature = rest[..lmsSignatureLength];
            var next = rest[lmsSignatureLength..];
            if (PublicKeyLength(next) is not { } nextKeyLength || next.Length < nextKeyLength)
            {
                return false;
            }

            var nextKey = next[..nextKeyLength];
            if (!Verify(key, nextKey, lmsSignature))
            {
                return false;
            }

            key = nextKey;
            rest = next[nextKeyLength..];
        }

        return Verify(key, message, rest);
    }

    /// <summary>Verifies an LMS signature (§5.4.2) of <paramref name="message"/> under an LMS public key.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        // Public key: u32str(type) || u32str(otstype) || I || T[1].
        if (publicKey.Length != 8 + IdentifierLength + LmsType.M
            || LmsType.FromCode(BinaryPrimitives.ReadUInt32BigEndian(publicKey)) is not { } lmsType
            || LmOtsType.FromCode(BinaryPrimitives.ReadUInt32BigEndian(publicKey[4..])) is not { } otsType)
        {
            return false;
        }

        var identifier = publicKey.Slice(8, IdentifierLength);
        var root = publicKey.Slice(8 + IdentifierLength, LmsType.M);

        // Signature: u32str(q) || LM-OTS signature || u32str(type) || path[h].
        if (SignatureLength(signature) is not { } length || length != signature.Length)
        {
            return false;
        }

        var q = BinaryPrimitives.ReadUInt32BigEndian(signature);
        var ots = signature.Slice(4, otsType.SignatureLength);
        var signatureTypeAt = 4 + otsType.SignatureLength;
        if (BinaryPrimitives.ReadUInt32BigEndian(ots) != otsType.Code
            || BinaryPrimitives.ReadUInt32BigEndian(signature[signatureTypeAt..]) != lmsType.Code
            || q >= lmsType.Leaves)
        {
            return false;
        }

        Span<byte> candidate = stackalloc byte[LmOtsType.N];
        OtsCandidatePublicKey(otsType, identifier, q, message, ots, candidate);
        var path = signature[(signatureTypeAt + 4)..];
        return CryptographicOperations.FixedTimeEquals(CandidateRoot(lmsType, identifier, q, candidate, path), root);
    }

    /// <summary>The length of the LMS signature at the start of <paramref name="signature"/>, from its types; null when they are unknown.</summary>
    internal static int? SignatureLength(ReadOnlySpan<byte> signature)
    {
        if (signature.Length < 8 || LmOtsType.FromCode(BinaryPrimitives.ReadUInt32BigEndian(signature[4..])) is not { } otsType)
        {
            return null;
        }

        var typeAt = 4 + otsType.SignatureLength;
        return signature.Length >= typeAt + 4 && LmsType.FromCode(BinaryPrimitives.ReadUInt32BigEndian(signature[typeAt..])) is { } lmsType
            ? typeAt + 4 + (lmsType.Height * LmsType.M)
            : null;
    }

    private static int? PublicKeyLength(ReadOnlySpan<byte> key) =>
        key.Length >= 8 && LmsType.FromCode(BinaryPrimitives.ReadUInt32BigEndian(key)) is not null ? 8 + IdentifierLength + LmsType.M : null;

    // Algorithm 4b: the LM-OTS public key a signature implies.
    private static void OtsCandidatePublicKey(LmOtsType type, ReadOnlySpan<byte> identifier, uint q, ReadOnlySpan<byte> message, ReadOnlySpan<byte> ots, Span<byte> candidate)
    {
        var c = ots.Slice(4, LmOtsType.N);
        var y = ots[(4 + LmOtsType.N)..];
        Span<byte> digits = stackalloc byte[LmOtsType.N + 2];
        LmsHash.MessageDigits(type, identifier, q, c, message, digits);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var publicHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        publicHash.AppendData(identifier);
        LmsHash.AppendUInt32(publicHash, q);
        LmsHash.AppendUInt16(publicHash, LmsHash.DomainPublic);
        Span<byte> tmp = stackalloc byte[LmOtsType.N];
        for (var i = 0; i < type.P; i++)
        {
            y.Slice(i * LmOtsType.N, LmOtsType.N).CopyTo(tmp);
            LmsHash.Chain(hash, identifier, q, i, LmsHash.Coefficient(digits, i, type.W), (1 << type.W) - 1, tmp);
            publicHash.AppendData(tmp);
        }

        publicHash.GetHashAndReset(candidate);
    }

    // Algorithm 6a steps: climb from the leaf to the root along the authentication path.
    private static byte[] CandidateRoot(LmsType type, ReadOnlySpan<byte> identifier, uint q, ReadOnlySpan<byte> otsKey, ReadOnlySpan<byte> path)
    {
        var node = (1u << type.Height) + q;
        var tmp = LmsHash.Leaf(identifier, node, otsKey);
        for (var i = 0; node > 1; i++, node /= 2)
        {
            var sibling = path.Slice(i * LmsType.M, LmsType.M);
            tmp = node % 2 == 1 ? LmsHash.Interior(identifier, node / 2, sibling, tmp) : LmsHash.Interior(identifier, node / 2, tmp, sibling);
        }

        return tmp;
    }
}
