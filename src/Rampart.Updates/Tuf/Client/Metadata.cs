using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// One metadata file, parsed and checked for shape once (§4.2): a JSON object with <c>signatures</c>
/// (no key id twice) and <c>signed</c> of the expected <c>_type</c>, a supported <c>spec_version</c>
/// (major version 1), a positive integer <c>version</c> and a valid <c>expires</c>. Signatures and
/// versions against other roles are the caller's to check.
/// </summary>
internal sealed class Metadata
{
    private Metadata(JsonObject envelope, JsonObject signed, long version, DateTimeOffset expires, byte[] bytes, string name) =>
        (Envelope, Signed, Version, Expires, Bytes, Name) = (envelope, signed, version, expires, bytes, name);

    public JsonObject Envelope { get; }

    public JsonObject Signed { get; }

    public long Version { get; }

    public DateTimeOffset Expires { get; }

    /// <summary>The bytes as fetched: what is persisted (their hash is what the parent role signed).</summary>
    public byte[] Bytes { get; }

    /// <summary>The role name, for messages.</summary>
    public string Name { get; }

    public bool IsExpiredAt(DateTimeOffset now) => Expires <= now;

    /// <summary>Parses <paramref name="bytes"/> as <paramref name="type"/> metadata of role <paramref name="name"/>.</summary>
    public static Metadata Parse(byte[] bytes, string type, string name)
    {
        JsonObject? envelope;
        try
        {
            // Duplicate keys are refused while parsing: two parsers could otherwise read two different documents,
            // and a JsonObject would only throw when first read, anywhere later.
            envelope = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope?["signed"] is not JsonObject signed || Json.Text(signed["_type"]) != type || envelope["signatures"] is not JsonArray)
        {
            throw new TufException(TufFailure.Malformed, $"{name} is not {type} metadata");
        }

        try
        {
            // What signatures are over must have a canonical form (integers only, §4.2); checked once, here.
            _ = CanonicalJson.Encode(signed);
        }
        catch (ArgumentException exception)
        {
            throw new TufException(TufFailure.Malformed, $"{name} is not canonical JSON: {exception.Message}");
        }

        if (SignedMetadata.DuplicateKeyId(envelope) is { } duplicate)
        {
            throw new TufException(TufFailure.BadSignatures, $"{name} carries more than one signature by key {duplicate}");
        }

        if (Json.Text(signed["spec_version"]) is not { } spec || spec.Split('.')[0] != "1")
        {
            throw new TufException(TufFailure.Malformed, $"{name} is for TUF specification {Json.Text(signed["spec_version"]) ?? "(none)"}; this client implements 1.x");
        }

        if (signed["version"] is not JsonValue v || !v.TryGetValue<long>(out var version) || version < 1)
        {
            throw new TufException(TufFailure.Malformed, $"{name} has no valid version");
        }

        return TufMetadata.TryGetExpiry(signed, out var expires)
            ? new Metadata(envelope, signed, version, expires, bytes, name)
            : throw new TufException(TufFailure.Malformed, $"{name} has no valid expiry");
    }

    /// <summary>The <c>meta</c> entry for <paramref name="file"/> (timestamp and snapshot, §4.4–§4.5), or null.</summary>
    public JsonObject? Meta(string file) => Json.Field(Signed["meta"], file) as JsonObject;

    /// <summary>The version <c>meta</c> names for <paramref name="file"/>; refused when absent or malformed.</summary>
    public long MetaVersion(string file) =>
        Meta(file)?["version"] is JsonValue v && v.TryGetValue<long>(out var version) && version >= 1
            ? version
            : throw new TufException(TufFailure.Malformed, $"{Name} names no valid version of {file}");

    /// <summary>The key ids of a top-level role in this root, for telling rotations apart.</summary>
    public HashSet<string> RoleKeyIds(string role) =>
        (Json.Field(RoleNode(role), "keyids") as JsonArray)?.Select(Json.Text).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];

    /// <summary>The description <c>{"keyids", "threshold"}</c> of a top-level role in this root, or null.</summary>
    public JsonObject? RoleNode(string role) => Json.Field(Signed["roles"], role) as JsonObject;

    /// <summary>True when this root says files are fetched under versioned / hashed names (§5.5.1, §5.7.3).</summary>
    public bool ConsistentSnapshot => Signed["consistent_snapshot"] is JsonValue c && c.TryGetValue<bool>(out var consistent) && consistent;
}
