using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Updates.Lms;

namespace Rampart.Updates.Firmware;

/// <summary>
/// A manifest signed twice — ECDSA P-256 and LMS (hash-based, post-quantum; CNSA 2.0 for firmware) —
/// so a break of either scheme alone does not let an attacker sign firmware. Verification requires both,
/// and a third, ML-DSA-65 (FIPS 204), from a device that pins an ML-DSA key: devices that do not ignore it.
/// </summary>
public static class SignedManifest
{
    /// <summary>Signs: <c>{"manifest": …, "signatures": {"ecdsa-p256": hex, "lms": hex}}</c> as JSON bytes.</summary>
    public static Task<byte[]> SignAsync(FirmwareManifest manifest, ECDsa ecdsa, LmsSigner lms, CancellationToken cancellationToken) =>
        SignAsync(manifest, ecdsa, lms, null, cancellationToken);

    /// <summary>Signs with ECDSA, LMS and, when given, ML-DSA-65: <c>"signatures": {"ecdsa-p256", "lms", "ml-dsa-65"}</c>, each hex over the same canonical bytes.</summary>
    public static async Task<byte[]> SignAsync(FirmwareManifest manifest, ECDsa ecdsa, LmsSigner lms, MlDsa65? mlDsa, CancellationToken cancellationToken)
    {
        var signatures = await FirmwareSignatures.SignAsync(manifest.CanonicalBytes(), ecdsa, lms, mlDsa, cancellationToken);
        var envelope = new JsonObject { ["manifest"] = manifest.ToJson(), ["signatures"] = signatures };
        return Encoding.UTF8.GetBytes(envelope.ToJsonString());
    }

    /// <summary>The envelope field of the ML-DSA-65 signature.</summary>
    public const string MlDsaField = FirmwareSignatures.MlDsaField;

    /// <summary>
    /// The manifest when both signatures verify under the given keys and (if given) the image matches
    /// its hash and length; otherwise a refusal naming the first failed check. <paramref name="installedSecurityVersion"/>
    /// refuses anything below what the device runs (rollback protection on the device).
    /// </summary>
    public static (FirmwareManifest? Manifest, string? Refusal) Verify(
        ReadOnlySpan<byte> signedManifest, ECDsa ecdsaPublicKey, ReadOnlySpan<byte> lmsPublicKey, long installedSecurityVersion, ReadOnlySpan<byte> image = default) =>
        Verify(signedManifest, ecdsaPublicKey, lmsPublicKey, [], installedSecurityVersion, image);

    /// <summary>
    /// As the two-signature check, and, when <paramref name="mlDsa65PublicKey"/> is not empty, the
    /// ML-DSA-65 signature too: a device that pins an ML-DSA key refuses a manifest without one.
    /// </summary>
    public static (FirmwareManifest? Manifest, string? Refusal) Verify(
        ReadOnlySpan<byte> signedManifest, ECDsa ecdsaPublicKey, ReadOnlySpan<byte> lmsPublicKey, ReadOnlySpan<byte> mlDsa65PublicKey, long installedSecurityVersion,
        ReadOnlySpan<byte> image = default)
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

        if (FirmwareSignatures.Problem(manifest.CanonicalBytes(), signatures, ecdsaPublicKey, lmsPublicKey, mlDsa65PublicKey) is { } problem)
        {
            return (null, problem);
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
}
