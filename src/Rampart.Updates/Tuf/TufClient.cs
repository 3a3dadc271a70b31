using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// The TUF client workflow (specification §5): update the root through every version (each signed by
/// the old and the new root's thresholds), then timestamp, snapshot and targets, checking signatures,
/// versions against what is already trusted, cross-role versions, expiry and lengths; and download a
/// target only with the length and SHA-256 the targets metadata signed. Trusted metadata is kept in
/// memory; <see cref="TrustedRoot"/> is what a device persists between runs.
/// </summary>
public sealed class TufClient(ITufRepository repository, byte[] trustedRoot, TimeProvider time)
{
    /// <summary>Upper bounds on metadata sizes (§5.2: an attacker must not feed endless data).</summary>
    public const long MaxRootLength = 512 * 1024;
    public const long MaxTimestampLength = 16 * 1024;
    public const long MaxMetadataLength = 32 * 1024 * 1024;

    /// <summary>How many root versions one update may move through.</summary>
    public const int MaxRootRotations = 32;

    private readonly ITufRepository _repository = repository;
    private JsonObject _root = Parse(trustedRoot, "root", "the trusted root");
    private JsonObject? _timestamp;
    private JsonObject? _snapshot;
    private JsonObject? _targets;

    /// <summary>The root currently trusted (signed envelope, canonical form) — persist it for the next run.</summary>
    public byte[] TrustedRoot { get; private set; } = trustedRoot;

    /// <summary>Runs §5.3–§5.6: refreshes every top-level role.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await UpdateRootAsync(cancellationToken);
        await UpdateTimestampAsync(cancellationToken);
        await UpdateSnapshotAsync(cancellationToken);
        await UpdateTargetsAsync(cancellationToken);
    }

    /// <summary>The signed description of a target (length, hashes, custom), after a refresh.</summary>
    public JsonObject? TargetInfo(string name) => Signed(_targets)?["targets"]?[name] as JsonObject;

    /// <summary>Downloads a target and checks its length and SHA-256 against the signed targets metadata (§5.7).</summary>
    public async Task<byte[]> DownloadTargetAsync(string name, CancellationToken cancellationToken)
    {
        var info = TargetInfo(name) ?? throw new TufException(TufFailure.UnknownTarget, $"'{name}' is not in the signed targets metadata");
        var length = info["length"] is JsonValue lengthValue && lengthValue.TryGetValue<long>(out var l) ? l : -1;
        var sha256 = Json.Text(info["hashes"]?["sha256"]);
        if (length < 0 || sha256 is null)
        {
            throw new TufException(TufFailure.Malformed, $"target '{name}' has no length or sha256");
        }

        var consistent = Signed(_root)?["consistent_snapshot"] is JsonValue c && c.TryGetValue<bool>(out var isConsistent) && isConsistent;
        var path = consistent ? $"targets/{sha256}.{name}" : $"targets/{name}";
        var bytes = await FetchAsync(path, length, cancellationToken) ?? throw new TufException(TufFailure.BadTarget, $"target '{name}' is missing");
        if (bytes.Length != length || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(sha256), SHA256.HashData(bytes)))
        {
            throw new TufException(TufFailure.BadTarget, $"target '{name}' does not match its signed length and hash");
        }

        return bytes;
    }

    // §5.3: each next root must be signed by a threshold of the trusted root's root keys and of its own.
    private async Task UpdateRootAsync(CancellationToken cancellationToken)
    {
        var oldTimestampKeys = RoleKeys(_root, "timestamp");
        var oldSnapshotKeys = RoleKeys(_root, "snapshot");
        for (var rotation = 0; rotation < MaxRootRotations; rotation++)
        {
            var next = Version(_root) + 1;
            var bytes = await FetchAsync($"metadata/{next}.root.json", MaxRootLength, cancellationToken);
            if (bytes is null)
            {
                break;
            }

            var candidate = Parse(bytes, "root", $"{next}.root.json");
            Verify(candidate, _root, "root", $"{next}.root.json (by the trusted root)");
            Verify(candidate, candidate, "root", $"{next}.root.json (by itself)");
            if (Version(candidate) != next)
            {
                throw new TufException(TufFailure.Rollback, $"{next}.root.json claims version {Version(candidate)}");
            }

            (_root, TrustedRoot) = (candidate, bytes);
        }

        NotExpired(_root, "root");

        // §5.3.11: rotated timestamp or snapshot keys invalidate what they signed (fast-forward recovery).
        if (!RoleKeys(_root, "timestamp").SetEquals(oldTimestampKeys))
        {
            _timestamp = null;
        }

        if (!RoleKeys(_root, "snapshot").SetEquals(oldSnapshotKeys))
        {
            _snapshot = null;
        }
    }

    private async Task UpdateTimestampAsync(CancellationToken cancellationToken)
    {
        var bytes = await FetchAsync("metadata/timestamp.json", MaxTimestampLength, cancellationToken)
            ?? throw new TufException(TufFailure.Malformed, "timestamp.json is missing");
        var candidate = Parse(bytes, "timestamp", "timestamp.json");
        Verify(candidate, _root, "timestamp", "timestamp.json");
        if (_timestamp is not null)
        {
            if (Version(candidate) < Version(_timestamp))
            {
                throw new TufException(TufFailure.Rollback, $"timestamp version {Version(candidate)} is older than the trusted {Version(_timestamp)}");
            }

            if (MetaVersion(candidate, "snapshot.json") < MetaVersion(_timestamp, "snapshot.json"))
            {
                throw new TufException(TufFailure.Rollback, "the timestamp points at an older snapshot than the trusted one");
            }
        }

        NotExpired(candidate, "timestamp");
        _timestamp = candidate;
    }

    private async Task UpdateSnapshotAsync(CancellationToken cancellationToken)
    {
        var candidate = await FetchChildAsync(_timestamp!, "snapshot.json", "snapshot", "timestamp", cancellationToken);
        if (_snapshot is not null && MetaVersion(candidate, "targets.json") < MetaVersion(_snapshot, "targets.json"))
        {
            throw new TufException(TufFailure.Rollback, "the snapshot points at older targets than the trusted one");
        }

        NotExpired(candidate, "snapshot");
        _snapshot = candidate;
    }

    private async Task UpdateTargetsAsync(CancellationToken cancellationToken)
    {
        var candidate = await FetchChildAsync(_snapshot!, "targets.json", "targets", "snapshot", cancellationToken);
        NotExpired(candidate, "targets");
        _targets = candidate;
    }

    // The role file a trusted parent describes: fetched as described, signed by its role, at the named version.
    private async Task<JsonObject> FetchChildAsync(JsonObject parent, string file, string role, string parentRole, CancellationToken cancellationToken)
    {
        var meta = Signed(parent)!["meta"]?[file] as JsonObject ?? throw new TufException(TufFailure.Malformed, $"the {parentRole} does not describe {file}");
        var version = MetaVersion(parent, file);
        var candidate = Parse(await FetchDescribedAsync(meta, version, file, cancellationToken), role, file);
        Verify(candidate, _root, role, file);
        return Version(candidate) == version
            ? candidate
            : throw new TufException(TufFailure.Mismatch, $"{role} version {Version(candidate)} is not the {version} the {parentRole} names");
    }

    // Fetches N.name (consistent snapshots) or name, bounded by the signed length, checked against the signed hash.
    private async Task<byte[]> FetchDescribedAsync(JsonObject meta, long version, string name, CancellationToken cancellationToken)
    {
        var consistent = Signed(_root)?["consistent_snapshot"] is JsonValue c && c.TryGetValue<bool>(out var isConsistent) && isConsistent;
        var signedLength = meta["length"] is JsonValue l && l.TryGetValue<long>(out var value) ? value : (long?)null;
        var bytes = await _repository.FetchAsync(consistent ? $"metadata/{version}.{name}" : $"metadata/{name}", signedLength ?? MaxMetadataLength, cancellationToken)
            ?? throw new TufException(TufFailure.Malformed, $"{name} version {version} is missing");
        if (bytes.LongLength > (signedLength ?? MaxMetadataLength))
        {
            throw new TufException(signedLength is null ? TufFailure.Malformed : TufFailure.Mismatch, $"{name} is longer than {(signedLength is null ? "allowed" : "its parent signed")}");
        }

        if (Json.Text(meta["hashes"]?["sha256"]) is { } sha256 && !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(sha256), SHA256.HashData(bytes)))
        {
            throw new TufException(TufFailure.Mismatch, $"{name} does not match the hash its parent signed");
        }

        return bytes;
    }

    // §5.2 endless data: nothing longer than its bound is accepted.
    private async Task<byte[]?> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
    {
        var bytes = await _repository.FetchAsync(path, maxLength, cancellationToken);
        return bytes is not null && bytes.LongLength > maxLength
            ? throw new TufException(path.StartsWith("targets/", StringComparison.Ordinal) ? TufFailure.BadTarget : TufFailure.Malformed, $"{path} is longer than the {maxLength} bytes allowed")
            : bytes;
    }

    private void NotExpired(JsonObject envelope, string role)
    {
        if (!TufMetadata.TryGetExpiry(Signed(envelope), out var at))
        {
            throw new TufException(TufFailure.Malformed, $"{role} has no valid expiry");
        }

        if (at <= time.GetUtcNow())
        {
            throw new TufException(TufFailure.Expired, $"{role} expired at {TufMetadata.FormatExpiry(at)}");
        }
    }

    private static void Verify(JsonObject envelope, JsonObject root, string role, string what)
    {
        if (!SignedMetadata.MeetsRoleThreshold(envelope, Signed(root)!, role))
        {
            throw new TufException(TufFailure.BadSignatures, $"{what} is not signed by a threshold of the {role} role's keys");
        }
    }

    private static HashSet<string> RoleKeys(JsonObject root, string role) =>
        (Signed(root)?["roles"]?[role]?["keyids"] as JsonArray)?.Select(Json.Text).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];

    private static JsonObject? Signed(JsonObject? envelope) => envelope?["signed"] as JsonObject;

    private static long Version(JsonObject envelope) =>
        Signed(envelope)?["version"] is JsonValue v && v.TryGetValue<long>(out var version) && version >= 1
            ? version
            : throw new TufException(TufFailure.Malformed, "metadata without a valid version");

    private static long MetaVersion(JsonObject envelope, string name) =>
        Signed(envelope)?["meta"]?[name]?["version"] is JsonValue v && v.TryGetValue<long>(out var version)
            ? version
            : throw new TufException(TufFailure.Malformed, $"no version for {name}");

    private static JsonObject Parse(byte[] bytes, string type, string what)
    {
        try
        {
            if (JsonNode.Parse(bytes) is JsonObject envelope && Json.Text(Signed(envelope)?["_type"]) == type)
            {
                return envelope;
            }
        }
        catch (JsonException)
        {
        }

        throw new TufException(TufFailure.Malformed, $"{what} is not {type} metadata");
    }
}
