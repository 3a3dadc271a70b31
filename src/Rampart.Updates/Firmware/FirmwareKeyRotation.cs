using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Updates.Lms;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Firmware;

/// <summary>
/// A rotation of the firmware keys, TAP 8-style (a role's keys rotated by the role itself): "the keys
/// <see cref="From"/> hand over to <see cref="To"/>", number <see cref="Sequence"/>, signed by the keys
/// it replaces — ECDSA, LMS and ML-DSA-65 — and published as the TUF target <see cref="TargetName"/>.
/// The TUF targets role therefore only delivers it (with TUF's freeze and rollback protection); it
/// cannot make one: a new firmware key is trusted by a device only when the keys that device already
/// pins signed it, each algorithm by its own key, so a break of ECDSA (or of the TUF keys) alone cannot
/// move devices onto an attacker's keys. Devices follow a chain of them from the keys they were
/// provisioned with (<c>FirmwareUpdater</c>), so a fleet needs no re-provisioning when the LMS key
/// runs out of signatures or a key is replaced.
/// </summary>
public sealed record FirmwareKeyRotation(long Sequence, string From, FirmwareKeySet To)
{
    /// <summary>Largest signed rotation read (two key sets and three signatures are about 12 KiB).</summary>
    public const int MaxLength = 32 * 1024;

    /// <summary>How many rotations a device examines in one update check, at most.</summary>
    public const int MaxPerCheck = 64;

    private const string Type = "firmware-key-rotation";

    /// <summary>The TUF target name of rotation <paramref name="sequence"/> (1, 2, …).</summary>
    public static string TargetName(long sequence) => $"firmware-key-rotation-{sequence:D6}.json";

    /// <summary>The bytes that are signed.</summary>
    public byte[] CanonicalBytes() => CanonicalJson.Encode(ToJson());

    private JsonObject ToJson() => new() { ["_type"] = Type, ["sequence"] = Sequence, ["from"] = From, ["to"] = To.ToJson() };

    /// <summary>Signs the rotation with the keys it replaces: <c>{"rotation": …, "signatures": …}</c>.</summary>
    public async Task<byte[]> SignAsync(System.Security.Cryptography.ECDsa ecdsa, LmsSigner lms, MlDsa65? mlDsa, CancellationToken cancellationToken)
    {
        var signatures = await FirmwareSignatures.SignAsync(CanonicalBytes(), ecdsa, lms, mlDsa, cancellationToken);
        return Encoding.UTF8.GetBytes(new JsonObject { ["rotation"] = ToJson(), ["signatures"] = signatures }.ToJsonString());
    }

    /// <summary>Reads a signed rotation without verifying it; null when it is not one.</summary>
    public static FirmwareKeyRotation? Read(ReadOnlySpan<byte> signed) => Parse(signed).Rotation;

    /// <summary>
    /// The rotation when it is number <paramref name="sequence"/>, hands over from <paramref name="current"/>
    /// and is signed by it (ECDSA and LMS; ML-DSA-65 too when <paramref name="checkMlDsa"/>, and then the new
    /// keys must include one: a rotation cannot drop the third signature); else why not.
    /// <see cref="NotFromTheseKeys"/> is the refusal of a well-formed rotation of other keys (a device
    /// provisioned after it skips it).
    /// </summary>
    public static (FirmwareKeyRotation? Rotation, string? Refusal) Verify(ReadOnlySpan<byte> signed, long sequence, FirmwareKeySet current, bool checkMlDsa)
    {
        if (signed.Length > MaxLength)
        {
            return (null, $"a key rotation is at most {MaxLength} bytes");
        }

        var (rotation, signatures) = Parse(signed);
        if (rotation is null)
        {
            return (null, "not a signed firmware key rotation");
        }

        if (rotation.Sequence != sequence)
        {
            return (null, $"the key rotation is number {rotation.Sequence}, published as number {sequence}");
        }

        if (rotation.From != current.Id)
        {
            return (null, NotFromTheseKeys);
        }

        if (rotation.To.Id == current.Id)
        {
            return (null, "the key rotation hands over to the same keys");
        }

        if (checkMlDsa && (current.MlDsa65 is null || rotation.To.MlDsa65 is null))
        {
            return (null, "the key rotation drops the ML-DSA-65 key this device checks");
        }

        using var ecdsa = current.OpenEcdsa();
        return FirmwareSignatures.Problem(rotation.CanonicalBytes(), signatures, ecdsa, current.Lms, checkMlDsa ? current.MlDsa65 : []) is { } problem
            ? (null, $"the key rotation is not signed by the pinned keys: {problem}")
            : (rotation, null);
    }

    /// <summary>The refusal of a rotation that hands over from other keys.</summary>
    public const string NotFromTheseKeys = "the key rotation hands over from other keys";

    private static (FirmwareKeyRotation? Rotation, JsonNode? Signatures) Parse(ReadOnlySpan<byte> signed)
    {
        JsonObject? envelope;
        try
        {
            envelope = JsonNode.Parse(signed, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) as JsonObject;
        }
        catch (JsonException)
        {
            return (null, null);
        }

        if (envelope?["rotation"] is not JsonObject body || Json.Text(body["_type"]) != Type
            || body["sequence"] is not JsonValue sequenceValue || !sequenceValue.TryGetValue<long>(out var sequence) || sequence < 1
            || Json.Text(body["from"]) is not { Length: 64 } from || FirmwareKeySet.FromJson(body["to"]) is not { } to)
        {
            return (null, null);
        }

        return (new FirmwareKeyRotation(sequence, from, to), envelope["signatures"]);
    }
}
