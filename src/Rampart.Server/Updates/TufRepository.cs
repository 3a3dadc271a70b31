using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rampart.Server.DataDirectory;
using Rampart.Server.Keys;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Updates;

/// <summary>
/// The node's TUF repository in the standard layout, with consistent snapshots: files under
/// <c>DATA/tuf/metadata</c> (<c>N.root.json</c>, <c>timestamp.json</c>, <c>N.snapshot.json</c>,
/// <c>N.targets.json</c>) and <c>DATA/tuf/targets/&lt;sha256&gt;.&lt;name&gt;</c>, served at <c>/tuf/</c>.
/// Role keys are ECDSA P-256, owner-only in <c>DATA/keys/tuf-*.key.pem</c> (encrypted with the node's key
/// passphrase when one is set) or generated inside the node's PKCS#11 token (<see cref="UpdateKeys"/>). Adding targets publishes new targets, snapshot and timestamp versions;
/// the timestamp is re-signed before it expires. The root key is needed only to create the repository
/// and to sign a new root: it can live off the node, and a new root is then signed in a ceremony
/// (<see cref="PrepareRootAsync"/> → signatures made offline → <see cref="ImportRootAsync"/>).
/// On a cluster (storage provider postgres) the files are a copy of the cluster's repository kept by
/// <see cref="TufClusterMirror"/>: every node publishes into and serves the same one.
/// </summary>
public sealed partial class TufRepository(string dataDirectory, UpdateKeys keys, TimeProvider time, TufClusterMirror? cluster = null) : IDisposable
{
    /// <summary>A repository whose role keys are files in <c>DATA/keys</c>.</summary>
    public TufRepository(string dataDirectory, KeyProtector protector, TimeProvider time)
        : this(dataDirectory, UpdateKeys.Files(dataDirectory, protector), time)
    {
    }

    /// <summary>How long each role's metadata is valid.</summary>
    public static readonly TimeSpan RootLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan TargetsLifetime = TimeSpan.FromDays(90);
    public static readonly TimeSpan SnapshotLifetime = TimeSpan.FromDays(7);
    public static readonly TimeSpan TimestampLifetime = TimeSpan.FromDays(1);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);
    private FrozenDictionary<string, string>? _published;

    public string MetadataDirectory { get; } = Path.Combine(dataDirectory, "tuf", "metadata");

    public string TargetsDirectory { get; } = Path.Combine(dataDirectory, "tuf", "targets");

    /// <summary>True when <paramref name="name"/> is a plain file name the repository may serve.</summary>
    public static bool IsServableName(string name) => name.Length <= 255 && FileName().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Creates keys and version 1 of every role on first use.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await UnderLockAsync(() =>
        {
            if (File.Exists(Path.Combine(MetadataDirectory, "1.root.json")))
            {
                // Load the online keys now, so a wrong passphrase or a damaged key stops the start
                // instead of the first timestamp refresh.
                foreach (var role in new[] { "targets", "snapshot", "timestamp" })
                {
                    Key(role);
                }

                return;
            }

            Directory.CreateDirectory(MetadataDirectory);
            Directory.CreateDirectory(TargetsDirectory);
            Directory.CreateDirectory(Path.Combine(dataDirectory, "keys"));
            var root = Key("root");
            var targets = Key("targets");
            var snapshot = Key("snapshot");
            var timestamp = Key("timestamp");
            var now = time.GetUtcNow();
            var rootMetadata = TufMetadata.Root(1, now + RootLifetime, Role(root), Role(targets), Role(snapshot), Role(timestamp));
            Write("1.root.json", SignedMetadata.Sign(rootMetadata, [root]));
            PublishLocked(1, new JsonObject(), now);
        }, cancellationToken);
    }

    /// <summary>Adds (or replaces) a target and publishes new targets, snapshot and timestamp versions.</summary>
    public Task<bool> AddTargetAsync(string name, byte[] content, JsonObject? custom, CancellationToken cancellationToken) =>
        AddTargetsAsync([new NewTarget(name, content, custom)], cancellationToken);

    /// <summary>A target to add: its name, content and custom metadata.</summary>
    public sealed record NewTarget(string Name, byte[] Content, JsonObject? Custom);

    /// <summary>
    /// Adds (or replaces) targets together and publishes one new targets, snapshot and timestamp
    /// version. Target files are written (atomically) before the metadata that names them. When the
    /// targets key is offline the new targets metadata waits for signatures (<see cref="PrepareTargetsAsync"/>);
    /// returns whether it was published now.
    /// </summary>
    public async Task<bool> AddTargetsAsync(IReadOnlyList<NewTarget> targets, CancellationToken cancellationToken)
    {
        if (targets.FirstOrDefault(t => !IsServableName(t.Name)) is { } bad)
        {
            throw new ArgumentException($"'{bad.Name}' is not a valid target name", nameof(targets));
        }

        return await UnderLockAsync<bool>(() =>
        {
            var version = LatestVersion("targets");
            var current = PendingTargetsLocked() ?? PublishedTargetsLocked(version);
            foreach (var target in targets)
            {
                var sha256 = Convert.ToHexStringLower(SHA256.HashData(target.Content));
                var entry = new JsonObject { ["length"] = target.Content.LongLength, ["hashes"] = new JsonObject { ["sha256"] = sha256 } };
                if (target.Custom is not null)
                {
                    entry["custom"] = target.Custom.DeepClone();
                }

                current[target.Name] = entry;
                var path = Path.Combine(TargetsDirectory, $"{sha256}.{target.Name}");
                if (!File.Exists(path))
                {
                    OwnerOnlyFile.WriteAtomically(path, target.Content, syncDirectory: false);
                }
            }

            // One directory fsync for all the target files, before any metadata names them.
            Rampart.Updates.Files.AtomicFile.SyncDirectory(TargetsDirectory);

            if (!TargetsKeyOnline)
            {
                OwnerOnlyFile.WriteAtomically(PendingTargetsPath, System.Text.Encoding.UTF8.GetBytes(current.ToJsonString()));
                return false;
            }

            PublishLocked(version + 1, (JsonObject)current.DeepClone(), time.GetUtcNow());
            File.Delete(PendingTargetsPath);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// The signed description of a target in the newest published targets metadata, or null. Answered from
    /// an index kept with each publication (the metadata of 100,000 targets is 17 MiB: read once, not per call).
    /// </summary>
    public JsonObject? TargetInfo(string name)
    {
        var published = Volatile.Read(ref _published);
        if (published is null)
        {
            _lock.Wait();
            try
            {
                published = _published ??= Index(Read($"{LatestVersion("targets")}.targets.json"));
            }
            finally
            {
                _lock.Release();
            }
        }

        return published.TryGetValue(name, out var entry) ? JsonNode.Parse(entry) as JsonObject : null;
    }

    // Each target's entry as JSON text: immutable, so readers need no lock.
    private static FrozenDictionary<string, string> Index(JsonObject targetsEnvelope) =>
        targetsEnvelope["signed"]!["targets"]!.AsObject().ToFrozenDictionary(p => p.Key, p => p.Value!.ToJsonString(), StringComparer.Ordinal);

    /// <summary>What <see cref="RefreshAsync"/> did: the roles it re-signed, and what needs a person (an offline key).</summary>
    public sealed record Refresh(IReadOnlyList<string> Resigned, IReadOnlyList<string> Warnings);

    /// <summary>
    /// Re-signs whatever has less than half its lifetime left, so clients never see expired metadata
    /// from a repository that simply had no changes (TUF §5.4–§5.6 treat expiry as a freeze attack):
    /// targets (new version, same targets; with the key offline the targets wait for a signature and a
    /// warning says so), snapshot, timestamp, and — with less than 60 days left — root (when the root
    /// key is on the node; otherwise a warning).
    /// </summary>
    public async Task<Refresh> RefreshAsync(CancellationToken cancellationToken)
    {
        return await UnderLockAsync<Refresh>(() =>
        {
            var now = time.GetUtcNow();
            var resigned = new List<string>();
            var warnings = new List<string>();
            var rootExpires = Expires(CurrentRoot());
            if (rootExpires - now < RootRenewal)
            {
                if (_keys.ContainsKey("root") || keys.Exists(KeyName("root")))
                {
                    ImportRootLocked(PrepareRootLocked(new RoleChange(null, null), new RoleChange(null, null)), []);
                    resigned.Add("root");
                }
                else
                {
                    warnings.Add($"the TUF root expires {rootExpires:u}; sign a new one offline (rampart keys root prepare, sign, import)");
                }
            }

            var targetsVersion = LatestVersion("targets");
            var targetsExpires = Expires(Read($"{targetsVersion}.targets.json"));
            if (targetsExpires - now < TargetsLifetime / 2)
            {
                if (TargetsKeyOnline)
                {
                    PublishLocked(targetsVersion + 1, PublishedTargetsLocked(targetsVersion), now);
                    resigned.AddRange(["targets", "snapshot", "timestamp"]);
                    return new Refresh(resigned, warnings);
                }

                if (!HasPendingTargets)
                {
                    OwnerOnlyFile.WriteAtomically(PendingTargetsPath, System.Text.Encoding.UTF8.GetBytes(PublishedTargetsLocked(targetsVersion).ToJsonString()));
                }

                warnings.Add($"the TUF targets metadata expires {targetsExpires:u}; sign it offline (rampart keys targets prepare, sign, import)");
            }

            if (Expires(Read($"{LatestVersion("snapshot")}.snapshot.json")) - now < SnapshotLifetime / 2)
            {
                PublishSnapshotLocked(targetsVersion, File.ReadAllBytes(Path.Combine(MetadataDirectory, $"{targetsVersion}.targets.json")), now);
                resigned.AddRange(["snapshot", "timestamp"]);
            }
            else if (Expires(Read("timestamp.json")) - now < TimestampLifetime / 2)
            {
                PublishTimestampLocked(LatestVersion("snapshot"), now);
                resigned.Add("timestamp");
            }

            return new Refresh(resigned, warnings);
        }, cancellationToken);
    }

    /// <summary>A root with less than this left is re-signed (or, offline, warned about).</summary>
    public static readonly TimeSpan RootRenewal = TimeSpan.FromDays(60);

    private JsonObject Read(string name) => JsonNode.Parse(File.ReadAllBytes(Path.Combine(MetadataDirectory, name)))!.AsObject();

    private static DateTimeOffset Expires(JsonObject envelope) =>
        TufMetadata.TryGetExpiry(envelope["signed"], out var expires) ? expires : DateTimeOffset.MinValue;

    // targets N, snapshot N (naming targets N), timestamp (next version, naming snapshot N).
    private void PublishLocked(long version, JsonObject targets, DateTimeOffset now) =>
        PublishTargetsLocked(version, SignedMetadata.Sign(TargetsOf(version, now, targets), [Key("targets")]), now);

    // A signed targets envelope N, then the next snapshot (naming targets N) and timestamp with the online keys.
    private void PublishTargetsLocked(long version, JsonObject targetsEnvelope, DateTimeOffset now)
    {
        PublishSnapshotLocked(version, Write($"{version}.targets.json", targetsEnvelope), now);
        Volatile.Write(ref _published, Index(targetsEnvelope));
    }

    // Snapshot versions count on their own: a snapshot is re-signed without a new targets version when it nears expiry.
    private void PublishSnapshotLocked(long targetsVersion, byte[] targetsBytes, DateTimeOffset now)
    {
        var snapshotVersion = LatestVersion("snapshot") + 1;
        Write($"{snapshotVersion}.snapshot.json", SignedMetadata.Sign(TufMetadata.Snapshot(snapshotVersion, now + SnapshotLifetime, targetsVersion, targetsBytes), [Key("snapshot")]));
        PublishTimestampLocked(snapshotVersion, now);
    }

    private void PublishTimestampLocked(long snapshotVersion, DateTimeOffset now)
    {
        var timestampVersion = File.Exists(Path.Combine(MetadataDirectory, "timestamp.json")) ? Read("timestamp.json")["signed"]!["version"]!.GetValue<long>() + 1 : 1;
        var snapshotBytes = File.ReadAllBytes(Path.Combine(MetadataDirectory, $"{snapshotVersion}.snapshot.json"));
        Write("timestamp.json", SignedMetadata.Sign(TufMetadata.Timestamp(timestampVersion, now + TimestampLifetime, snapshotVersion, snapshotBytes), [Key("timestamp")]));
    }

    private static JsonObject TargetsOf(long version, DateTimeOffset now, JsonObject targets)
    {
        var signed = TufMetadata.Targets(version, now + TargetsLifetime, new Dictionary<string, (byte[], JsonObject?)>());
        signed["targets"] = targets;
        return signed;
    }

    private long LatestVersion(string role) =>
        Directory.EnumerateFiles(MetadataDirectory, $"*.{role}.json")
            .Select(path => long.TryParse(Path.GetFileName(path).Split('.')[0], out var version) ? version : 0)
            .DefaultIfEmpty(0)
            .Max();

    private byte[] Write(string name, JsonObject envelope)
    {
        var bytes = TufMetadata.Serialize(envelope);
        OwnerOnlyFile.WriteAtomically(Path.Combine(MetadataDirectory, name), bytes);
        return bytes;
    }

    // Each role's key: created once with the repository, loaded once per process, owner-only (and
    // encrypted when the node has a key passphrase) or in the node's token. A missing root key is an offline root.
    private ECDsa Key(string role)
    {
        if (_keys.TryGetValue(role, out var cached))
        {
            return cached;
        }

        var name = KeyName(role);
        ECDsa key;
        if (keys.Exists(name))
        {
            key = keys.Open(name);
        }
        else if (File.Exists(Path.Combine(MetadataDirectory, "1.root.json")))
        {
            throw new InvalidOperationException($"the TUF {role} key is not on this node ({keys.PathOf(name)}{(keys.InToken ? " or the token" : string.Empty)}); {role} metadata is signed offline with 'rampart keys'");
        }
        else
        {
            key = keys.Create(name);
        }

        _keys[role] = key;
        return key;
    }

    private static string KeyName(string role) => Rampart.Pki.Keys.KeyNames.Tuf(role);

    // Removes a role key from the node (file or token), once a new root no longer lists it.
    private void DeleteKey(string role)
    {
        if (_keys.Remove(role, out var key))
        {
            key.Dispose();
        }

        keys.Delete(KeyName(role));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _lock.Dispose();
    }

    private static TufMetadata.Role Role(ECDsa key) => new([key], 1);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex FileName();
}
