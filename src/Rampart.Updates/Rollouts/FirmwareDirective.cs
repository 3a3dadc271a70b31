using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Rollouts;

/// <summary>
/// What the server tells a device on <c>devices/{id}/config</c> (retained, so a device that was offline
/// learns it when it connects): which release to install, by TUF target names. The device trusts none
/// of it beyond "look for this": everything it installs is checked against TUF metadata and the
/// doubly signed manifest.
/// </summary>
public sealed record FirmwareDirective(long Rollout, string Release, string Version, long SecurityVersion, string ImageTarget, string ManifestTarget)
{
    /// <summary>Largest directive a device parses.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The config message: <c>{"firmware": {…}}</c>.</summary>
    public byte[] ToJson() => System.Text.Encoding.UTF8.GetBytes(new JsonObject
    {
        ["firmware"] = new JsonObject
        {
            ["rollout"] = Rollout,
            ["release"] = Release,
            ["version"] = Version,
            ["svn"] = SecurityVersion,
            ["image"] = ImageTarget,
            ["manifest"] = ManifestTarget,
        },
    }.ToJsonString());

    /// <summary>
    /// The config message withdrawing rollout <paramref name="rollout"/> (aborted or cancelled): it replaces the
    /// retained directive, so a device that was told but had not started, or was offline, does not install.
    /// </summary>
    public static byte[] Withdrawal(long rollout) =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["firmware"] = new JsonObject { ["rollout"] = rollout, ["withdrawn"] = true } }.ToJsonString());

    /// <summary>The rollout a withdrawal names, or null when the message is not one.</summary>
    public static long? ParseWithdrawal(ReadOnlySpan<byte> json) =>
        Firmware(json) is { } firmware && firmware["withdrawn"] is JsonValue withdrawn && withdrawn.TryGetValue<bool>(out var yes) && yes
            && firmware["rollout"] is JsonValue rollout && rollout.TryGetValue<long>(out var id) ? id : null;

    /// <summary>The directive in a config message, or null when it has none or it is malformed.</summary>
    public static FirmwareDirective? Parse(ReadOnlySpan<byte> json)
    {
        if (Firmware(json) is not { } firmware
            || firmware["rollout"] is not JsonValue rollout || !rollout.TryGetValue<long>(out var id)
            || firmware["svn"] is not JsonValue svnValue || !svnValue.TryGetValue<long>(out var svn)
            || Json.Text(firmware["release"]) is not { } release || Json.Text(firmware["version"]) is not { } version
            || Json.Text(firmware["image"]) is not { } image || Json.Text(firmware["manifest"]) is not { } manifest)
        {
            return null;
        }

        return new FirmwareDirective(id, release, version, svn, image, manifest);
    }

    private static JsonObject? Firmware(ReadOnlySpan<byte> json)
    {
        if (json.Length is 0 or > MaxBytes)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) is JsonObject root ? root["firmware"] as JsonObject : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
