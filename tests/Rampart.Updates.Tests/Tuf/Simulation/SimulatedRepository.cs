using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf.Simulation;

/// <summary>
/// A TUF repository the tests sign metadata for, served from memory: top-level roles, delegated roles
/// (listed or hashed bins), any key type, any hash algorithms, consistent snapshots or not. It records
/// every request, so tests can say which requests a client made.
/// </summary>
public sealed class SimulatedRepository : ITufRepository
{
    private readonly TimeProvider _clock;
    private readonly List<TufSigner> _previousRootSigners = [];

    public SimulatedRepository(TimeProvider clock, Func<TufSigner>? newKey = null)
    {
        _clock = clock;
        NewKey = newKey ?? TufSigner.NewEd25519;
        foreach (var role in RoleNames.TopLevel)
        {
            Roles[role] = new SimulatedRole([NewKey()]);
        }

        TargetsRoles["targets"] = new SimulatedTargets(Roles["targets"]);
        PublishRoot();
        Publish();
    }

    public Func<TufSigner> NewKey { get; }

    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public List<string> Requests { get; } = [];

    public Dictionary<string, SimulatedRole> Roles { get; } = new(StringComparer.Ordinal);

    /// <summary>Targets roles by name; "targets" is the top-level one.</summary>
    public Dictionary<string, SimulatedTargets> TargetsRoles { get; } = new(StringComparer.Ordinal);

    public bool ConsistentSnapshot { get; set; } = true;

    /// <summary>The hash algorithms written for each target (a test may list one the client does not know).</summary>
    public List<string> HashAlgorithms { get; } = ["sha256"];

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Changes a role's <c>signed</c> part (by role name) before it is signed with the right keys: malformed but validly signed metadata.</summary>
    public Func<string, JsonObject, JsonObject>? Tamper { get; set; }

    public long RootVersion { get; private set; }

    public long SnapshotVersion { get; private set; }

    public long TimestampVersion { get; private set; }

    /// <summary>The first root: what a device is provisioned with.</summary>
    public byte[] InitialRoot => Files["metadata/1.root.json"];

    public SimulatedTargets Top => TargetsRoles["targets"];

    public Task<byte[]?> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
    {
        Requests.Add(path);
        return Task.FromResult(Files.TryGetValue(path, out var bytes) ? bytes.Take((int)Math.Min(bytes.LongLength, maxLength + 1)).ToArray() : null);
    }

    /// <summary>The <c>signed</c> part of the newest published metadata of <paramref name="role"/> (consistent snapshots).</summary>
    public JsonObject Signed(string role) => JsonNode.Parse(Files[role switch
    {
        "timestamp" => "metadata/timestamp.json",
        "snapshot" => $"metadata/{SnapshotVersion}.snapshot.json",
        "root" => $"metadata/{RootVersion}.root.json",
        _ => $"metadata/{TargetsRoles[role].Version}.{RoleNames.Escape(role)}.json",
    }])!["signed"]!.AsObject();

    /// <summary>Adds a target to a targets role (not yet published).</summary>
    public void AddTarget(string path, byte[] content, string role = "targets", JsonObject? custom = null) => TargetsRoles[role].Targets[path] = (content, custom);

    /// <summary>Adds a delegated role below <paramref name="delegator"/>, with its own new key.</summary>
    public SimulatedTargets Delegate(string delegator, string name, bool terminating = false, string[]? paths = null, string[]? hashPrefixes = null)
    {
        var role = TargetsRoles.TryGetValue(name, out var existing) ? existing.Role : new SimulatedRole([NewKey()]);
        TargetsRoles[delegator].Delegations.Add(new SimulatedDelegation(name, role, terminating, paths ?? (hashPrefixes is null ? ["*"] : null), hashPrefixes));
        return TargetsRoles.TryGetValue(name, out var targets) ? targets : TargetsRoles[name] = new SimulatedTargets(role);
    }

    /// <summary>Delegates hashed bins (2^bitLength roles named PREFIX-HEX) below <paramref name="delegator"/>, all with one new key.</summary>
    public void DelegateBins(string delegator, string prefix, int bitLength)
    {
        var role = new SimulatedRole([NewKey()]);
        TargetsRoles[delegator].Bins = new SimulatedBins(prefix, bitLength, role);
        var digits = ((1 << bitLength) - 1).ToString("x", System.Globalization.CultureInfo.InvariantCulture).Length;
        for (var bin = 0; bin < 1 << bitLength; bin++)
        {
            TargetsRoles[$"{prefix}-{bin.ToString($"x{digits}", System.Globalization.CultureInfo.InvariantCulture)}"] = new SimulatedTargets(role);
        }
    }

    /// <summary>Publishes the next root, signed by the previous root's keys and its own.</summary>
    public void PublishRoot()
    {
        RootVersion++;
        var keys = new JsonObject();
        var roles = new JsonObject();
        foreach (var (name, role) in Roles)
        {
            foreach (var key in role.Keys)
            {
                keys[key.PublicKey.KeyId] = key.PublicKey.Json.DeepClone();
            }

            roles[name] = role.Node();
        }

        var signed = Common("root", RootVersion);
        signed["consistent_snapshot"] = ConsistentSnapshot;
        signed["keys"] = keys;
        signed["roles"] = roles;
        var signers = Roles["root"].Signers.Concat(_previousRootSigners).DistinctBy(s => s.PublicKey.KeyId);
        Files[$"metadata/{RootVersion}.root.json"] = Serialize(SignedMetadata.Sign(Tampered("root", signed), signers));
        _previousRootSigners.Clear();
        _previousRootSigners.AddRange(Roles["root"].Keys);
    }

    /// <summary>Publishes the next version of every targets role, then a snapshot and a timestamp naming them.</summary>
    public void Publish()
    {
        var meta = new JsonObject();
        foreach (var (name, targets) in TargetsRoles)
        {
            targets.Version++;
            var bytes = Serialize(SignedMetadata.Sign(Tampered(name, TargetsSigned(targets)), targets.Role.Signers));
            var escaped = RoleNames.Escape(name);
            Files[ConsistentSnapshot ? $"metadata/{targets.Version}.{escaped}.json" : $"metadata/{escaped}.json"] = bytes;
            meta[name + ".json"] = new JsonObject { ["version"] = targets.Version };
        }

        PublishSnapshot(meta);
    }

    /// <summary>Publishes a snapshot with the given <c>meta</c>, and a timestamp naming it.</summary>
    public void PublishSnapshot(JsonObject meta)
    {
        SnapshotVersion++;
        var snapshot = Common("snapshot", SnapshotVersion);
        snapshot["meta"] = meta;
        var bytes = Serialize(SignedMetadata.Sign(Tampered("snapshot", snapshot), Roles["snapshot"].Signers));
        Files[ConsistentSnapshot ? $"metadata/{SnapshotVersion}.snapshot.json" : "metadata/snapshot.json"] = bytes;
        PublishTimestamp(SnapshotVersion, bytes);
    }

    /// <summary>Publishes a timestamp naming snapshot <paramref name="snapshotVersion"/>.</summary>
    public void PublishTimestamp(long snapshotVersion, byte[] snapshotBytes, long? version = null)
    {
        TimestampVersion = version ?? TimestampVersion + 1;
        var timestamp = Common("timestamp", TimestampVersion);
        timestamp["meta"] = new JsonObject
        {
            ["snapshot.json"] = new JsonObject
            {
                ["version"] = snapshotVersion,
                ["length"] = snapshotBytes.LongLength,
                ["hashes"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(snapshotBytes)) },
            },
        };
        Files["metadata/timestamp.json"] = Serialize(SignedMetadata.Sign(Tampered("timestamp", timestamp), Roles["timestamp"].Signers));
    }

    /// <summary>Where a target's bytes are stored (§5.7.3 naming): one file per listed hash with consistent snapshots.</summary>
    public IEnumerable<string> TargetFiles(string path, JsonObject hashes)
    {
        if (!ConsistentSnapshot)
        {
            yield return $"targets/{path}";
            yield break;
        }

        var slash = path.LastIndexOf('/');
        foreach (var (_, hash) in hashes)
        {
            yield return $"targets/{path[..(slash + 1)]}{hash}.{path[(slash + 1)..]}";
        }
    }

    public JsonObject Common(string type, long version) => new()
    {
        ["_type"] = type,
        ["spec_version"] = "1.0.31",
        ["version"] = version,
        ["expires"] = TufMetadata.FormatExpiry(_clock.GetUtcNow() + Lifetime),
    };

    private JsonObject TargetsSigned(SimulatedTargets targets)
    {
        var entries = new JsonObject();
        foreach (var (path, (content, custom)) in targets.Targets)
        {
            var hashes = new JsonObject();
            foreach (var algorithm in HashAlgorithms)
            {
                hashes[algorithm] = algorithm switch
                {
                    "sha256" => Convert.ToHexStringLower(SHA256.HashData(content)),
                    "sha512" => Convert.ToHexStringLower(SHA512.HashData(content)),
                    _ => Convert.ToHexStringLower(MD5.HashData(content)),
                };
            }

            var entry = new JsonObject { ["length"] = content.LongLength, ["hashes"] = hashes };
            if (custom is not null)
            {
                entry["custom"] = custom.DeepClone();
            }

            entries[path] = entry;
            foreach (var file in TargetFiles(path, hashes))
            {
                Files[file] = content;
            }
        }

        var signed = Common("targets", targets.Version);
        signed["targets"] = entries;
        if (targets.Delegations.Count > 0 || targets.Bins is not null)
        {
            signed["delegations"] = Delegations(targets);
        }

        return signed;
    }

    private static JsonObject Delegations(SimulatedTargets targets)
    {
        var keys = new JsonObject();
        foreach (var key in targets.Delegations.SelectMany(d => d.Role.Keys).Concat(targets.Bins?.Role.Keys ?? []).DistinctBy(k => k.PublicKey.KeyId))
        {
            keys[key.PublicKey.KeyId] = key.PublicKey.Json.DeepClone();
        }

        if (targets.Bins is { } bins)
        {
            var succinct = bins.Role.Node();
            succinct["bit_length"] = bins.BitLength;
            succinct["name_prefix"] = bins.Prefix;
            return new JsonObject { ["keys"] = keys, ["succinct_roles"] = succinct };
        }

        var roles = new JsonArray();
        foreach (var delegation in targets.Delegations)
        {
            var role = delegation.Role.Node();
            role["name"] = delegation.Name;
            role["terminating"] = delegation.Terminating;
            if (delegation.Paths is not null)
            {
                role["paths"] = new JsonArray([.. delegation.Paths.Select(p => (JsonNode)p)]);
            }

            if (delegation.HashPrefixes is not null)
            {
                role["path_hash_prefixes"] = new JsonArray([.. delegation.HashPrefixes.Select(p => (JsonNode)p)]);
            }

            roles.Add(role);
        }

        return new JsonObject { ["keys"] = keys, ["roles"] = roles };
    }

    private static byte[] Serialize(JsonObject envelope) => TufMetadata.Serialize(envelope);

    private JsonObject Tampered(string role, JsonObject signed) => Tamper?.Invoke(role, signed) ?? signed;
}
