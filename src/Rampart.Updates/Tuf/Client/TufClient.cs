using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rampart.Updates.Tuf;

/// <summary>
/// The TUF client workflow (specification §5), the one client the device SDK, the server's checks and
/// tests use. It starts from the trusted metadata in an <see cref="ITrustedMetadataStore"/> (or a
/// provisioned root when the store holds none), and each <see cref="RefreshAsync"/> runs §5.3–§5.6:
/// every root version in turn, then timestamp, snapshot and targets, each checked against what is
/// already trusted (signatures and thresholds, versions, hashes and lengths, expiry) and persisted as
/// soon as it is verified, in that order. Targets are found by the delegation search of §5.6.7 and
/// downloaded only with the length and hashes the metadata signs (§5.7).
/// </summary>
public sealed partial class TufClient
{
    /// <summary>Default upper bounds on metadata sizes (§5.2: an attacker must not feed endless data).</summary>
    public const long MaxRootLength = 512 * 1024;
    public const long MaxTimestampLength = 16 * 1024;
    public const long MaxMetadataLength = 32 * 1024 * 1024;

    /// <summary>How many root versions one update may move through, by default.</summary>
    public const int MaxRootRotations = 32;

    private readonly ITufRepository _repository;
    private readonly ITrustedMetadataStore _store;
    private readonly TimeProvider _time;
    private readonly TufClientOptions _options;
    private readonly ILogger _logger;
    private TrustedMetadata _trusted;
    private bool _refreshed;

    /// <summary>A client that trusts <paramref name="trustedRoot"/> and keeps what it verifies in memory.</summary>
    public TufClient(ITufRepository repository, byte[] trustedRoot, TimeProvider time)
        : this(repository, MemoryTrustedMetadataStore.WithRoot(trustedRoot), null, time)
    {
    }

    /// <summary>
    /// A client over <paramref name="store"/>. Its <c>root</c> is the trust anchor; when it holds none,
    /// <paramref name="bootstrapRoot"/> (the root provisioned with the device) is used and stored.
    /// Either way the root is checked against its own threshold before any request (§5.2).
    /// </summary>
    public TufClient(ITufRepository repository, ITrustedMetadataStore store, byte[]? bootstrapRoot, TimeProvider time, TufClientOptions? options = null, ILogger? logger = null)
    {
        (_repository, _store, _time) = (repository, store, time);
        _options = (options ?? new TufClientOptions()).Validated();
        _logger = logger ?? NullLogger.Instance;
        var stored = store.Load("root", _options.MaxRootLength);
        var root = stored ?? bootstrapRoot ?? throw new TufException(TufFailure.Malformed, "no trusted root: the store holds none and none was provisioned");
        _trusted = new TrustedMetadata(root, time);
        if (stored is null)
        {
            store.Save("root", root);
        }

        TrustedRoot = root;
    }

    /// <summary>The root currently trusted (as fetched and stored).</summary>
    public byte[] TrustedRoot { get; private set; }

    /// <summary>
    /// Runs §5.3–§5.6 for the top-level roles. Each refresh starts from what the store holds, exactly as
    /// a new client after a reboot would, so a refresh on a long-lived client is no weaker than one after
    /// a restart.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        _refreshed = false;
        _trusted = new TrustedMetadata(TrustedRoot, _time);
        await UpdateRootAsync(cancellationToken);
        await UpdateTimestampAsync(cancellationToken);
        await UpdateSnapshotAsync(cancellationToken);
        await LoadTargetsAsync("targets", "root", cancellationToken);
        _refreshed = true;
    }

    // §5.3: each next root is signed by the trusted root's threshold and its own, and is stored as soon as it is (§5.3.8).
    private async Task UpdateRootAsync(CancellationToken cancellationToken)
    {
        for (var rotation = 0; rotation < _options.MaxRootRotations; rotation++)
        {
            var next = _trusted.Root.Version + 1;
            var bytes = await FetchAsync($"metadata/{next}.root.json", _options.MaxRootLength, TufFailure.Malformed, cancellationToken);
            if (bytes is null)
            {
                break;
            }

            var previous = _trusted.Root;
            _trusted.UpdateRoot(bytes);
            _store.Save("root", bytes);
            TrustedRoot = bytes;
            RootUpdated(_logger, next);
            ForgetRotatedRoles(previous, _trusted.Root);
        }

        _trusted.RequireRootCurrent();
    }

    // §5.3.11: after the timestamp or snapshot keys rotate, the trusted timestamp and snapshot are deleted, so
    // versions an attacker inflated with a compromised key (fast-forward) do not block the real ones.
    // After the targets keys rotate, the snapshot (whose targets versions the old key's holder could have
    // inflated) and targets are deleted too: the reference client keeps them, and could not recover.
    private void ForgetRotatedRoles(Metadata previous, Metadata current)
    {
        bool Rotated(string role) =>
            !previous.RoleKeyIds(role).SetEquals(current.RoleKeyIds(role))
            || !Equals(previous.RoleNode(role)?["threshold"]?.ToJsonString(), current.RoleNode(role)?["threshold"]?.ToJsonString());

        var forget = new SortedSet<string>(StringComparer.Ordinal);
        if (Rotated("timestamp") || Rotated("snapshot"))
        {
            forget.UnionWith(["timestamp", "snapshot"]);
        }

        if (Rotated("targets"))
        {
            forget.UnionWith(["snapshot", "targets"]);
        }

        foreach (var role in forget)
        {
            _store.Delete(role);
        }

        if (forget.Count > 0)
        {
            KeysRotated(_logger, current.Version, string.Join(", ", forget));
        }
    }

    // §5.4: the stored timestamp is the rollback baseline; the fetched one replaces it only when newer.
    private async Task UpdateTimestampAsync(CancellationToken cancellationToken)
    {
        if (LoadLocal("timestamp", _options.MaxTimestampLength) is { } local)
        {
            Try("timestamp", () => _trusted.UpdateTimestamp(local, local: true));
        }

        var bytes = await FetchAsync("metadata/timestamp.json", _options.MaxTimestampLength, TufFailure.Malformed, cancellationToken)
            ?? throw new TufException(TufFailure.Malformed, "timestamp.json is missing");
        if (_trusted.UpdateTimestamp(bytes, local: false))
        {
            _store.Save("timestamp", bytes);
        }
        else
        {
            TimestampUnchanged(_logger, _trusted.Timestamp!.Version);
        }
    }

    // §5.5: the stored snapshot is used when it is the one the timestamp names (no request); else fetched.
    private async Task UpdateSnapshotAsync(CancellationToken cancellationToken)
    {
        if (LoadLocal("snapshot", _options.MaxSnapshotLength) is { } local && Try("snapshot", () => _trusted.UpdateSnapshot(local, local: true)))
        {
            return;
        }

        var timestamp = _trusted.Timestamp!;
        var bytes = await FetchDescribedAsync("snapshot", timestamp.MetaVersion("snapshot.json"), timestamp.Meta("snapshot.json")!, _options.MaxSnapshotLength, cancellationToken);
        _trusted.UpdateSnapshot(bytes, local: false);
        _store.Save("snapshot", bytes);
    }

    // §5.6 for the top-level targets and, during a search, delegated roles: stored copy if it is the version the snapshot names, else fetched.
    private async Task<(Metadata Metadata, Delegations? Delegations)> LoadTargetsAsync(string role, string delegator, CancellationToken cancellationToken)
    {
        if (_trusted.Targets(role) is { } loaded)
        {
            return loaded;
        }

        if (LoadLocal(role, _options.MaxTargetsLength) is { } local)
        {
            (Metadata, Delegations?)? fromStore = null;
            if (Try(role, () => fromStore = _trusted.UpdateTargets(local, role, delegator, local: true)))
            {
                return fromStore!.Value;
            }
        }

        var snapshot = _trusted.Snapshot!;
        var file = role + ".json";
        var meta = snapshot.Meta(file) ?? throw new TufException(TufFailure.Malformed, $"the snapshot does not list {file}");
        var bytes = await FetchDescribedAsync(role, snapshot.MetaVersion(file), meta, _options.MaxTargetsLength, cancellationToken);
        var verified = _trusted.UpdateTargets(bytes, role, delegator, local: false);
        _store.Save(role, bytes);
        return verified;
    }

    // N.ROLE.json with consistent snapshots (§5.5.1, §5.6.1), ROLE.json otherwise; the role name URL-escaped.
    private async Task<byte[]> FetchDescribedAsync(string role, long version, System.Text.Json.Nodes.JsonObject meta, long maxLength, CancellationToken cancellationToken)
    {
        var name = RoleNames.Escape(role) + ".json";
        var signedLength = meta["length"] is System.Text.Json.Nodes.JsonValue l && l.TryGetValue<long>(out var length) && length >= 0 ? length : (long?)null;
        return await FetchAsync(_trusted.Root.ConsistentSnapshot ? $"metadata/{version}.{name}" : $"metadata/{name}", signedLength ?? maxLength,
                signedLength is null ? TufFailure.Malformed : TufFailure.Mismatch, cancellationToken)
            ?? throw new TufException(TufFailure.Malformed, $"{role} version {version} is missing");
    }

    // §5.2 endless data: nothing longer than its bound is accepted.
    private async Task<byte[]?> FetchAsync(string path, long maxLength, TufFailure tooLong, CancellationToken cancellationToken)
    {
        var bytes = await _repository.FetchAsync(path, maxLength, cancellationToken);
        return bytes is not null && bytes.LongLength > maxLength
            ? throw new TufException(tooLong, $"{path} is longer than the {maxLength} bytes allowed")
            : bytes;
    }

    // Stored metadata that cannot be read (too long, writable by others) is no baseline; the refresh goes on without it.
    private byte[]? LoadLocal(string role, long maxLength)
    {
        try
        {
            return _store.Load(role, maxLength);
        }
        catch (InvalidDataException exception)
        {
            StoredMetadataIgnored(_logger, role, exception.Message);
            return null;
        }
    }

    private bool Try(string role, Action load)
    {
        try
        {
            load();
            return true;
        }
        catch (TufException exception)
        {
            StoredMetadataIgnored(_logger, role, exception.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "TUF: root version {Version} verified and stored")]
    private static partial void RootUpdated(ILogger logger, long version);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Warning, Message = "TUF: root version {Version} rotates role keys; trusted {Roles} deleted (fast-forward recovery)")]
    private static partial void KeysRotated(ILogger logger, long version, string roles);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Debug, Message = "TUF: stored {Role} metadata not used: {Reason}")]
    private static partial void StoredMetadataIgnored(ILogger logger, string role, string reason);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Debug, Message = "TUF: timestamp version {Version} unchanged; the trusted one is kept")]
    private static partial void TimestampUnchanged(ILogger logger, long version);
}
