using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>Builders for the four top-level roles' <c>signed</c> parts (specification §4.3–§4.6).</summary>
public static class TufMetadata
{
    /// <summary>The spec version written into metadata.</summary>
    public const string SpecVersion = "1.0.31";

    /// <summary>A role's keys and how many must sign.</summary>
    public sealed record Role(IReadOnlyList<ECDsa> Keys, int Threshold);

    public static JsonObject Root(long version, DateTimeOffset expires, Role root, Role targets, Role snapshot, Role timestamp, bool consistentSnapshot = true)
    {
        var keys = new JsonObject();
        var roles = new JsonObject();
        foreach (var (name, role) in new[] { ("root", root), ("targets", targets), ("snapshot", snapshot), ("timestamp", timestamp) })
        {
            var ids = new JsonArray();
            foreach (var key in role.Keys)
            {
                var tufKey = TufKey.FromEcdsa(key);
                keys[tufKey.KeyId] = tufKey.Json.DeepClone();
                ids.Add(tufKey.KeyId);
            }

            roles[name] = new JsonObject { ["keyids"] = ids, ["threshold"] = role.Threshold };
        }

        return Common("root", version, expires, new JsonObject { ["consistent_snapshot"] = consistentSnapshot, ["keys"] = keys, ["roles"] = roles });
    }

    public static JsonObject Targets(long version, DateTimeOffset expires, IReadOnlyDictionary<string, (byte[] Content, JsonObject? Custom)> targets)
    {
        var entries = new JsonObject();
        foreach (var (name, (content, custom)) in targets)
        {
            var entry = new JsonObject { ["length"] = content.LongLength, ["hashes"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)) } };
            if (custom is not null)
            {
                entry["custom"] = custom.DeepClone();
            }

            entries[name] = entry;
        }

        return Common("targets", version, expires, new JsonObject { ["targets"] = entries });
    }

    /// <summary>Snapshot: the version (and length and hash) of targets.json.</summary>
    public static JsonObject Snapshot(long version, DateTimeOffset expires, long targetsVersion, byte[]? targetsBytes = null) =>
        Common("snapshot", version, expires, new JsonObject { ["meta"] = new JsonObject { ["targets.json"] = Describe(targetsVersion, targetsBytes) } });

    /// <summary>Timestamp: the version (and length and hash) of snapshot.json.</summary>
    public static JsonObject Timestamp(long version, DateTimeOffset expires, long snapshotVersion, byte[]? snapshotBytes = null) =>
        Common("timestamp", version, expires, new JsonObject { ["meta"] = new JsonObject { ["snapshot.json"] = Describe(snapshotVersion, snapshotBytes) } });

    /// <summary>
    /// The envelope's bytes as served: ordinary JSON (canonical JSON leaves control characters such as
    /// the PEM's newlines unescaped, so it is what is signed, not what is stored).
    /// </summary>
    public static byte[] Serialize(JsonObject envelope) => System.Text.Encoding.UTF8.GetBytes(envelope.ToJsonString());

    /// <summary>An expiry as metadata writes it (§4.2: ISO 8601, UTC, whole seconds, "Z").</summary>
    public static string FormatExpiry(DateTimeOffset expires) => expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The <c>expires</c> of a <c>signed</c> part; false when it is absent or not a date.</summary>
    public static bool TryGetExpiry(JsonNode? signed, out DateTimeOffset expires)
    {
        expires = default;
        return Json.Text(Json.Field(signed, "expires")) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out expires);
    }

    private static JsonObject Describe(long version, byte[]? bytes)
    {
        var meta = new JsonObject { ["version"] = version };
        if (bytes is not null)
        {
            meta["length"] = bytes.LongLength;
            meta["hashes"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
        }

        return meta;
    }

    private static JsonObject Common(string type, long version, DateTimeOffset expires, JsonObject fields)
    {
        var signed = new JsonObject
        {
            ["_type"] = type,
            ["spec_version"] = SpecVersion,
            ["version"] = version,
            ["expires"] = FormatExpiry(expires),
        };
        foreach (var (key, value) in fields)
        {
            signed[key] = value?.DeepClone();
        }

        return signed;
    }
}
