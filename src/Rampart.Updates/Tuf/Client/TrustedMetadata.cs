using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// The metadata one refresh trusts, and every check of the client workflow that decides what it may
/// trust next (specification §5.2–§5.6), in the order the workflow allows: root, then timestamp, then
/// snapshot, then targets and delegated targets. Nothing here fetches or stores; <see cref="TufClient"/>
/// does, and persists what this accepts.
/// </summary>
internal sealed class TrustedMetadata
{
    private readonly DateTimeOffset _now;
    private readonly Dictionary<string, (Metadata Metadata, Delegations? Delegations)> _targets = new(StringComparer.Ordinal);

    /// <summary>
    /// §5.2: the trusted root, checked before anything is fetched: it must be root metadata signed by a
    /// threshold of its own root keys. (Its expiry is not checked yet: an expired root may still be
    /// followed to a newer one, §5.3.10 checks the final root.)
    /// </summary>
    public TrustedMetadata(byte[] trustedRoot, TimeProvider time)
    {
        // §5.1: expiry is judged against one fixed update start time, so a slow refresh cannot pass a role
        // that expired between two checks and fail the next, and every role is judged by the same clock.
        _now = time.GetUtcNow();
        Root = Metadata.Parse(trustedRoot, "root", "the trusted root");
        if (!SignedMetadata.MeetsRoleThreshold(Root.Envelope, Root.Signed, "root"))
        {
            throw new TufException(TufFailure.BadSignatures, "the trusted root is not signed by a threshold of its own root keys");
        }
    }

    public Metadata Root { get; private set; }

    public Metadata? Timestamp { get; private set; }

    public Metadata? Snapshot { get; private set; }

    private DateTimeOffset Now => _now;

    /// <summary>§5.3.4–§5.3.5: root N+1 is signed by a threshold of root N's root keys and of its own, and is version N+1.</summary>
    public Metadata UpdateRoot(byte[] bytes)
    {
        if (Timestamp is not null)
        {
            throw new InvalidOperationException("the root cannot change after the timestamp is loaded (§5.3 comes before §5.4)");
        }

        var next = Root.Version + 1;
        var candidate = Metadata.Parse(bytes, "root", $"{next}.root.json");
        RequireSigned(candidate, Root.Signed["keys"] as JsonObject, Root.RoleNode("root"), $"{next}.root.json (by the trusted root)");
        RequireSigned(candidate, candidate.Signed["keys"] as JsonObject, candidate.RoleNode("root"), $"{next}.root.json (by itself)");
        if (candidate.Version != next)
        {
            throw new TufException(TufFailure.Rollback, $"{next}.root.json claims version {candidate.Version}");
        }

        Root = candidate;
        return candidate;
    }

    /// <summary>§5.3.10: the final root must not have expired (freeze attack).</summary>
    public void RequireRootCurrent()
    {
        if (Root.IsExpiredAt(Now))
        {
            throw Expired(Root);
        }
    }

    /// <summary>
    /// §5.4.2–§5.4.3: a timestamp signed by the root's timestamp keys, not older than the trusted one, naming
    /// no older snapshot. Returns false, keeping the trusted one, when its version equals the trusted
    /// timestamp's (the repository has not changed; a same-version file with other content is not a
    /// newer timestamp). <paramref name="local"/> timestamps (from the store) may have expired: they
    /// serve as the rollback baseline; a fetched one must be current (§5.4.4).
    /// </summary>
    public bool UpdateTimestamp(byte[] bytes, bool local)
    {
        if (Snapshot is not null)
        {
            throw new InvalidOperationException("the timestamp cannot change after the snapshot is loaded (§5.4 comes before §5.5)");
        }

        RequireRootCurrent();
        var candidate = Metadata.Parse(bytes, "timestamp", "timestamp.json");
        RequireTopLevelSigned(candidate, "timestamp");
        if (Timestamp is not null)
        {
            if (candidate.Version < Timestamp.Version)
            {
                throw new TufException(TufFailure.Rollback, $"timestamp version {candidate.Version} is older than the trusted {Timestamp.Version}");
            }

            if (candidate.Version == Timestamp.Version)
            {
                return false;
            }

            if (candidate.MetaVersion("snapshot.json") < Timestamp.MetaVersion("snapshot.json"))
            {
                throw new TufException(TufFailure.Rollback, "the timestamp names an older snapshot than the trusted timestamp did");
            }
        }

        _ = candidate.MetaVersion("snapshot.json");
        if (!local && candidate.IsExpiredAt(Now))
        {
            throw Expired(candidate);
        }

        Timestamp = candidate;
        return true;
    }

    /// <summary>
    /// §5.5.2–§5.5.6: a snapshot matching the hashes and length the timestamp names (unless it is the
    /// <paramref name="local"/> copy, checked when it was fetched), signed by the snapshot keys, not
    /// dropping or rolling back any file the trusted snapshot lists. It is kept as the rollback baseline
    /// even when it then fails as the final snapshot (wrong version, expired): the exception says so and
    /// the caller fetches the one the timestamp names.
    /// </summary>
    public void UpdateSnapshot(byte[] bytes, bool local)
    {
        if (_targets.Count > 0)
        {
            throw new InvalidOperationException("the snapshot cannot change after targets are loaded (§5.5 comes before §5.6)");
        }

        var timestamp = RequireTimestampCurrent();
        if (!local)
        {
            CheckDescribed(timestamp.Meta("snapshot.json")!, bytes, "snapshot.json", "timestamp");
        }

        var candidate = Metadata.Parse(bytes, "snapshot", "snapshot.json");
        RequireTopLevelSigned(candidate, "snapshot");
        if (Snapshot is not null)
        {
            foreach (var (file, info) in Snapshot.Signed["meta"] as JsonObject ?? [])
            {
                if (candidate.Meta(file) is null)
                {
                    throw new TufException(TufFailure.Rollback, $"the new snapshot no longer lists {file}");
                }

                if (candidate.MetaVersion(file) < (Json.Field(info, "version") is JsonValue v && v.TryGetValue<long>(out var old) ? old : 0))
                {
                    throw new TufException(TufFailure.Rollback, $"the new snapshot names an older {file} than the trusted snapshot");
                }
            }
        }

        Snapshot = candidate;
        RequireSnapshotFinal();
    }

    /// <summary>The trusted targets or delegated targets role <paramref name="role"/>, if loaded.</summary>
    public (Metadata Metadata, Delegations? Delegations)? Targets(string role) => _targets.TryGetValue(role, out var loaded) ? loaded : null;

    /// <summary>
    /// §5.6.2–§5.6.5: targets (or a delegated role) matching the snapshot's hashes and length (unless
    /// <paramref name="local"/>), signed by a threshold of the keys its delegator names for it (root for
    /// <c>targets</c>, the delegating targets role otherwise), at exactly the version the snapshot names,
    /// and not expired.
    /// </summary>
    public (Metadata Metadata, Delegations? Delegations) UpdateTargets(byte[] bytes, string role, string delegator, bool local)
    {
        var snapshot = RequireSnapshotFinal();
        var file = role + ".json";
        var meta = snapshot.Meta(file) ?? throw new TufException(TufFailure.Malformed, $"the snapshot does not list {file}");
        if (!local)
        {
            CheckDescribed(meta, bytes, file, "snapshot");
        }

        var candidate = Metadata.Parse(bytes, "targets", role);
        if (candidate.Signed["targets"] is not System.Text.Json.Nodes.JsonObject)
        {
            throw new TufException(TufFailure.Malformed, $"{role} lists no targets object");
        }

        if (role == "targets")
        {
            RequireTopLevelSigned(candidate, "targets");
        }
        else
        {
            var parent = Targets(delegator)?.Delegations ?? throw new InvalidOperationException($"{delegator} is not loaded or delegates nothing");
            RequireSigned(candidate, parent.Keys, parent.RoleNode(role), $"{role} (delegated by {delegator})");
        }

        if (candidate.Version != snapshot.MetaVersion(file))
        {
            throw new TufException(TufFailure.Mismatch, $"{role} version {candidate.Version} is not the {snapshot.MetaVersion(file)} the snapshot names");
        }

        if (candidate.IsExpiredAt(Now))
        {
            throw Expired(candidate);
        }

        var loaded = (candidate, Delegations.Parse(candidate.Signed, role));
        _targets[role] = loaded;
        return loaded;
    }

    private Metadata RequireTimestampCurrent()
    {
        var timestamp = Timestamp ?? throw new InvalidOperationException("no timestamp is loaded");

        // A local timestamp was allowed to have expired while it served as a rollback baseline; now it is the final one.
        return timestamp.IsExpiredAt(Now) ? throw Expired(timestamp) : timestamp;
    }

    // §5.5.4 and §5.5.6: the final snapshot is the version the timestamp names and has not expired.
    private Metadata RequireSnapshotFinal()
    {
        var snapshot = Snapshot ?? throw new InvalidOperationException("no snapshot is loaded");
        var named = RequireTimestampCurrent().MetaVersion("snapshot.json");
        if (snapshot.Version != named)
        {
            throw new TufException(TufFailure.Mismatch, $"snapshot version {snapshot.Version} is not the {named} the timestamp names");
        }

        return snapshot.IsExpiredAt(Now) ? throw Expired(snapshot) : snapshot;
    }

    // A file a trusted parent describes must have the length and every supported hash the parent signed (§5.5.2, §5.6.2).
    private static void CheckDescribed(JsonObject meta, byte[] bytes, string file, string parent)
    {
        if (meta["length"] is JsonValue l && l.TryGetValue<long>(out var length) && bytes.LongLength != length)
        {
            throw new TufException(TufFailure.Mismatch, $"{file} is {bytes.LongLength} bytes, not the {length} the {parent} signed");
        }

        if (meta["hashes"] is JsonObject hashes && TufHashes.Mismatch(hashes, bytes) is { } why)
        {
            throw new TufException(TufFailure.Mismatch, $"{file} does not match the {parent}: {why}");
        }
    }

    private void RequireTopLevelSigned(Metadata candidate, string role) =>
        RequireSigned(candidate, Root.Signed["keys"] as JsonObject, Root.RoleNode(role), candidate.Name);

    private static void RequireSigned(Metadata candidate, JsonObject? keys, JsonObject? roleNode, string what)
    {
        if (roleNode is null || !SignedMetadata.MeetsRoleThreshold(candidate.Envelope, keys, roleNode))
        {
            throw new TufException(TufFailure.BadSignatures, $"{what} is not signed by a threshold of its role's keys");
        }
    }

    private static TufException Expired(Metadata metadata) =>
        new(TufFailure.Expired, $"{metadata.Name} expired at {TufMetadata.FormatExpiry(metadata.Expires)}");
}
