using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Updates.Lms;

namespace Rampart.Updates.Firmware;

/// <summary>
/// The firmware keys' signatures over one byte string — ECDSA P-256, LMS (HSS) and optionally ML-DSA-65 —
/// as <c>{"ecdsa-p256": hex, "lms": hex, "ml-dsa-65": hex}</c>: one implementation for what they sign
/// (manifests, <see cref="SignedManifest"/>; key rotations, <see cref="FirmwareKeyRotation"/>).
/// </summary>
public static class FirmwareSignatures
{
    /// <summary>The field of the ML-DSA-65 signature.</summary>
    public const string MlDsaField = "ml-dsa-65";

    /// <summary>Signs <paramref name="bytes"/> with every key given (the LMS leaf is spent durably before its signature exists).</summary>
    public static async Task<JsonObject> SignAsync(byte[] bytes, ECDsa ecdsa, LmsSigner lms, MlDsa65? mlDsa, CancellationToken cancellationToken)
    {
        var signatures = new JsonObject
        {
            ["ecdsa-p256"] = Convert.ToHexStringLower(ecdsa.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            ["lms"] = Convert.ToHexStringLower(await lms.SignAsync(bytes, cancellationToken)),
        };
        if (mlDsa is not null)
        {
            signatures[MlDsaField] = Convert.ToHexStringLower(mlDsa.Sign(bytes));
        }

        return signatures;
    }

    /// <summary>
    /// Null when the ECDSA and LMS signatures verify under the given keys, and the ML-DSA-65 one too when
    /// <paramref name="mlDsa65PublicKey"/> is not empty; otherwise the first failed check.
    /// </summary>
    public static string? Problem(ReadOnlySpan<byte> bytes, JsonNode? signatures, ECDsa ecdsaPublicKey, ReadOnlySpan<byte> lmsPublicKey, ReadOnlySpan<byte> mlDsa65PublicKey)
    {
        if (signatures is not JsonObject all)
        {
            return "no signatures";
        }

        if (!Hex(all["ecdsa-p256"], out var ecdsaSignature) || !ecdsaPublicKey.VerifyData(bytes, ecdsaSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
        {
            return "the ECDSA signature does not verify";
        }

        if (!Hex(all["lms"], out var lmsSignature) || !LmsVerifier.VerifyHss(lmsPublicKey, bytes, lmsSignature))
        {
            return "the LMS signature does not verify";
        }

        if (!mlDsa65PublicKey.IsEmpty && (!Hex(all[MlDsaField], out var mlDsaSignature) || !MlDsa65.Verify(mlDsa65PublicKey, bytes, mlDsaSignature)))
        {
            return "the ML-DSA-65 signature does not verify";
        }

        return null;
    }

    /// <summary>Reads a hex string field; false when it is missing or not hex.</summary>
    internal static bool Hex(JsonNode? node, out byte[] bytes)
    {
        bytes = [];
        if (Tuf.Json.Text(node) is not { } text)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
