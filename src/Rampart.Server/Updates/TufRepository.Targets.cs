using System.Text.Json.Nodes;
using Rampart.Fleet.Errors;
using Rampart.Server.DataDirectory;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Updates;

/// <summary>
/// Targets metadata signed off the node: when the targets key is not here, new targets wait in
/// <c>DATA/tuf/pending-targets.json</c> until key holders sign the prepared version and it is imported.
/// </summary>
public sealed partial class TufRepository
{
    /// <summary>True when this node holds the targets key (targets are published as they are added).</summary>
    public bool TargetsKeyOnline => _keys.ContainsKey("targets") || keys.Exists(KeyName("targets"));

    /// <summary>True when targets wait for an offline signature.</summary>
    public bool HasPendingTargets => File.Exists(PendingTargetsPath);

    private string PendingTargetsPath => Path.Combine(dataDirectory, "tuf", "pending-targets.json");

    /// <summary>The <c>signed</c> part of the next targets version (the pending targets) for offline signing.</summary>
    public async Task<JsonObject> PrepareTargetsAsync(CancellationToken cancellationToken)
    {
        return await UnderLockAsync<JsonObject>(() =>
        {
            var pending = PendingTargetsLocked() ?? throw new FleetException(FleetErrorKind.Conflict, "no targets wait for a signature");
            return TargetsOf(LatestVersion("targets") + 1, time.GetUtcNow(), pending);
        }, cancellationToken);
    }

    /// <summary>
    /// Publishes targets version N+1 when its signatures meet the threshold of the published root's targets
    /// role (what every client checks, TUF §5.6.3), with new snapshot and timestamp versions. Pending
    /// targets that were all signed are cleared. Returns the new version.
    /// </summary>
    public async Task<long> ImportTargetsAsync(JsonObject signed, IReadOnlyList<JsonObject> signatures, CancellationToken cancellationToken)
    {
        return await UnderLockAsync<long>(() =>
        {
            var version = CheckImportable(signed, "targets", LatestVersion("targets"));
            if (signed["targets"] is not JsonObject targets)
            {
                throw new FleetException(FleetErrorKind.Invalid, "the targets metadata lists no targets object");
            }

            // Every target it names must be stored here, or clients would be sent to files that do not exist.
            foreach (var (name, entry) in targets)
            {
                if (!IsServableName(name) || Json.Text(entry?["hashes"]?["sha256"]) is not { } sha256 || !File.Exists(Path.Combine(TargetsDirectory, $"{sha256}.{name}")))
                {
                    throw new FleetException(FleetErrorKind.Invalid, $"target '{name}' is not stored on this node");
                }
            }

            var envelope = new JsonObject { ["signatures"] = new JsonArray([.. signatures.Select(s => (JsonNode)s.DeepClone())]), ["signed"] = signed.DeepClone() };
            if (SignedMetadata.DuplicateKeyId(envelope) is { } duplicate)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"key {duplicate} signed more than once; give each signature once");
            }

            if (!SignedMetadata.MeetsRoleThreshold(envelope, CurrentRoot()["signed"]!.AsObject(), "targets"))
            {
                throw new FleetException(FleetErrorKind.Invalid, "the signatures do not meet the threshold of the root's targets role");
            }

            PublishTargetsLocked(version, envelope, time.GetUtcNow());
            if (PendingTargetsLocked() is { } pending && CanonicalJson.Encode(pending).AsSpan().SequenceEqual(CanonicalJson.Encode(targets)))
            {
                File.Delete(PendingTargetsPath);
            }

            return version;
        }, cancellationToken);
    }

    /// <summary>The targets (pending or published) whose custom metadata names the release they belong to: target name → release id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReleaseTargetsAsync(CancellationToken cancellationToken)
    {
        return await UnderLockAsync<IReadOnlyDictionary<string, string>>(() =>
        {
            var current = PendingTargetsLocked() ?? PublishedTargetsLocked(LatestVersion("targets"));
            return current
                .Where(pair => Json.Text(pair.Value?["custom"]?["release"]) is not null)
                .ToDictionary(pair => pair.Key, pair => Json.Text(pair.Value!["custom"]!["release"])!, StringComparer.Ordinal);
        }, cancellationToken);
    }

    /// <summary>
    /// Removes the targets <paramref name="names"/> from the targets (a new published version, or the pending
    /// targets when the key is offline) and then deletes their files; returns the names it removed.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveTargetsAsync(IReadOnlySet<string> names, CancellationToken cancellationToken)
    {
        return await UnderLockAsync<IReadOnlyList<string>>(() =>
        {
            var current = PendingTargetsLocked() ?? PublishedTargetsLocked(LatestVersion("targets"));
            var removed = current.Where(pair => names.Contains(pair.Key)).Select(pair => (Name: pair.Key, Sha256: Json.Text(pair.Value?["hashes"]?["sha256"]))).ToArray();
            if (removed.Length == 0)
            {
                return [];
            }

            foreach (var (name, _) in removed)
            {
                current.Remove(name);
            }

            // The metadata stops naming them first; only then do their files go (a client never meets a named
            // file that is gone). With the targets key offline the published metadata still names them until
            // the pending targets are signed, so their files stay.
            if (!TargetsKeyOnline)
            {
                OwnerOnlyFile.WriteAtomically(PendingTargetsPath, System.Text.Encoding.UTF8.GetBytes(current.ToJsonString()));
                return [.. removed.Select(r => r.Name)];
            }

            PublishLocked(LatestVersion("targets") + 1, current, time.GetUtcNow());
            File.Delete(PendingTargetsPath);

            foreach (var (name, sha256) in removed)
            {
                if (sha256 is not null && IsServableName(name))
                {
                    File.Delete(Path.Combine(TargetsDirectory, $"{sha256}.{name}"));
                }
            }

            Rampart.Updates.Files.AtomicFile.SyncDirectory(TargetsDirectory);
            return [.. removed.Select(r => r.Name)];
        }, cancellationToken);
    }

    private JsonObject? PendingTargetsLocked() =>
        File.Exists(PendingTargetsPath) ? JsonNode.Parse(File.ReadAllBytes(PendingTargetsPath)) as JsonObject : null;

    private JsonObject PublishedTargetsLocked(long version) =>
        JsonNode.Parse(File.ReadAllBytes(Path.Combine(MetadataDirectory, $"{version}.targets.json")))!["signed"]!["targets"]!.DeepClone().AsObject();

    // After a root names other targets keys: a node key no longer listed is deleted, and the published
    // targets wait to be signed again by the new keys.
    private void RetireTargetsKeyLocked(JsonObject newRoot)
    {
        if (!TargetsKeyOnline)
        {
            return;
        }

        var key = Key("targets");
        var listed = newRoot["roles"]!["targets"]!["keyids"]!.AsArray().Any(id => id!.GetValue<string>() == TufKey.FromEcdsa(key).KeyId);
        if (listed)
        {
            return;
        }

        DeleteKey("targets");
        if (!HasPendingTargets)
        {
            OwnerOnlyFile.WriteAtomically(PendingTargetsPath, System.Text.Encoding.UTF8.GetBytes(PublishedTargetsLocked(LatestVersion("targets")).ToJsonString()));
        }
    }
}
