using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// A target as signed targets metadata describes it (§4.5, "TARGETPATH": length, hashes, custom), and
/// the role that listed it (<c>targets</c> or a delegated role).
/// </summary>
public sealed record TargetFile(string Path, long Length, JsonObject Hashes, JsonObject? Custom, string Role)
{
    /// <summary>Reads a target entry; a malformed one (no length, no hashes, wrong types) is refused.</summary>
    public static TargetFile Parse(string path, JsonNode? entry, string role)
    {
        if (entry is not JsonObject info || info["length"] is not JsonValue l || !l.TryGetValue<long>(out var length) || length < 0
            || info["hashes"] is not JsonObject { Count: > 0 } hashes || hashes.Any(pair => Json.Text(pair.Value) is null))
        {
            throw new TufException(TufFailure.Malformed, $"target '{path}' in {role} has no valid length and hashes");
        }

        var custom = info["custom"] switch
        {
            null => null,
            JsonObject c => (JsonObject)c.DeepClone(),
            _ => throw new TufException(TufFailure.Malformed, $"target '{path}' in {role} has custom metadata that is not an object"),
        };
        return new TargetFile(path, length, (JsonObject)hashes.DeepClone(), custom, role);
    }

    /// <summary>Null when <paramref name="data"/> has the signed length and every supported signed hash; else why not (§5.7.4).</summary>
    public string? Mismatch(ReadOnlySpan<byte> data) =>
        data.Length != Length ? $"it is {data.Length} bytes, not the {Length} signed" : TufHashes.Mismatch(Hashes, data);

    /// <summary>
    /// Where the target is fetched (§5.7.3): with consistent snapshots <c>targets/dir/HASH.name</c> (the hash
    /// listed first; a repository stores the file under each hash it lists), else <c>targets/dir/name</c>.
    /// </summary>
    public string RemotePath(bool consistentSnapshot)
    {
        if (!consistentSnapshot)
        {
            return $"targets/{Path}";
        }

        var slash = Path.LastIndexOf('/');
        var hash = Json.Text(Hashes.First().Value);
        return slash < 0 ? $"targets/{hash}.{Path}" : $"targets/{Path[..(slash + 1)]}{hash}.{Path[(slash + 1)..]}";
    }
}
