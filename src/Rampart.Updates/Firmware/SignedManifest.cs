using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Updates.Lms;

namespace Rampart.Updates.Firmware;

/// <summary>
/// A manifest signed twice — ECDSA P-256 and LMS (hash-based, post-quantum; CNSA 2.0 for firmware) —
/// so a break of either scheme alone does not let an attacker sign firmware. Verification requires both.
/// </summary>
public static class SignedManifest
{
    /// <summary>Signs: <c>{"manifest": …, "signatures": {"ecdsa-p256": hex, "lms": hex}}</c> as JSON bytes.</summary>
    public static async Task<byte[]> SignAsync(FirmwareManifest manifest, ECDsa ecdsa, LmsSigner lms, CancellationToken cancellationToken)
    {
        var bytes = manifest.CanonicalBytes();
        var envelope = new JsonObject
        {
            ["manifest"] = manifest.ToJson(),
            ["signatures"] = new JsonObject
            {
                ["ecdsa-p256"] = Convert.ToHexStringLower(ecdsa.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
                ["lms"] = Convert.ToHexStringLower(await lms.SignAsync(bytes, cancellationToken)),
            },
        };
        return Encoding.UTF8.GetBytes(envelope.ToJsonString());
    }

    /// <summary>
    /// The manifest when both signatures verify under the given keys and (if given) the image matches
    /// its hash and length; otherwise a refusal naming the first failed check. <paramref name="installedSecurityVersion"/>
    /// refuses anything below what the device runs (rollback protection on the device).
    /// </summary>
    public static (FirmwareManifest? Manifest, string? Refusal) Verify(
        ReadOnlySpan<byte> signedManifest, ECDsa ecdsaPublicKey, ReadOnlySpan<byte> lmsPublicKey, long installedSecurityVersion, ReadOnlySpan<byte> image = default)
    {
        JsonObject? envelope;
        try
        {
            envelope = JsonNode.Parse(signedManifest) as JsonObject;
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (FirmwareManifest.FromJson(envelope?["manifest"]) is not { } manifest || envelope!["signatures"] is not JsonObject signatures)
        {
            return (null, "not a signed firmware manifest");
        }

        var bytes = manifest.CanonicalBytes();
        if (!Hex(signatures["ecdsa-p256"], out var ecdsaSignature) || !ecdsaPublicKey.VerifyData(bytes, ecdsaSignature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
        {
            return (null, "the ECDSA signature does not verify");
        }

        if (!Hex(signatures["lms"], out var lmsSignature) || !LmsVerifier.VerifyHss(lmsPublicKey, bytes, lmsSignature))
        {
            return (null, "the LMS signature does not verify");
        }

        if (manifest.SecurityVersion < installedSecurityVersion)
        {
            return (null, $"security version {manifest.SecurityVersion} is below the installed {installedSecurityVersion} (rollback)");
        }

        if (!image.IsEmpty && (image.Length != manifest.ImageLength || Convert.ToHexStringLower(SHA256.HashData(image)) != manifest.ImageSha256))
        {
            return (null, "the image does not match the manifest's hash and length");
        }

        return (manifest, null);
    }

    private static bool Hex(JsonNode? node, out byte[] bytes)
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
