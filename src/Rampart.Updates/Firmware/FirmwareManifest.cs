using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Firmware;

/// <summary>
/// What a secure bootloader checks before it runs an image: which model it is for, its version
/// (semver) and security version number (never installed below the device's), the hardware revisions
/// it supports, and the image's SHA-256 and length. Signed as canonical JSON.
/// </summary>
public sealed partial record FirmwareManifest(string Model, string Version, long SecurityVersion, IReadOnlyList<string> Hardware, string ImageSha256, long ImageLength)
{
    /// <summary>A manifest for <paramref name="image"/>; checks the version is semver 2.0 and the svn non-negative.</summary>
    public static FirmwareManifest For(string model, string version, long securityVersion, IReadOnlyList<string> hardware, ReadOnlySpan<byte> image)
    {
        var manifest = new FirmwareManifest(model, version, securityVersion, hardware, Convert.ToHexStringLower(SHA256.HashData(image)), image.Length);
        return manifest.Problem() is { } problem ? throw new ArgumentException(problem) : manifest;
    }

    /// <summary>The first thing wrong with the manifest, or null.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Model) || Model.Length > 128 ? "model must be 1 to 128 characters"
        : !SemVer().IsMatch(Version) ? $"version '{Version}' is not semver (MAJOR.MINOR.PATCH[-pre][+build])"
        : SecurityVersion < 0 ? "the security version number must not be negative"
        : ImageLength < 0 || ImageSha256.Length != 64 || !ImageSha256.All(Uri.IsHexDigit) ? "the image hash or length is not valid"
        : null;

    /// <summary>The bytes that are signed.</summary>
    public byte[] CanonicalBytes() => CanonicalJson.Encode(ToJson());

    public JsonObject ToJson() => new()
    {
        ["model"] = Model,
        ["version"] = Version,
        ["svn"] = SecurityVersion,
        ["hardware"] = new JsonArray([.. Hardware.Select(h => (JsonNode)h)]),
        ["image"] = new JsonObject { ["sha256"] = ImageSha256, ["length"] = ImageLength },
    };

    /// <summary>Reads a manifest object; null when any field is missing or of the wrong type.</summary>
    public static FirmwareManifest? FromJson(JsonNode? node)
    {
        if (node is not JsonObject json || Tuf.Json.Text(json["model"]) is not { } model || Tuf.Json.Text(json["version"]) is not { } version
            || json["svn"] is not JsonValue svnValue || !svnValue.TryGetValue<long>(out var svn)
            || json["hardware"] is not JsonArray hardware || json["image"] is not JsonObject image
            || Tuf.Json.Text(image["sha256"]) is not { } sha || image["length"] is not JsonValue lengthValue || !lengthValue.TryGetValue<long>(out var length))
        {
            return null;
        }

        var revisions = hardware.Select(Tuf.Json.Text).ToArray();
        if (revisions.Any(r => r is null))
        {
            return null;
        }

        var manifest = new FirmwareManifest(model, version, svn, revisions!, sha, length);
        return manifest.Problem() is null ? manifest : null;
    }

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}
