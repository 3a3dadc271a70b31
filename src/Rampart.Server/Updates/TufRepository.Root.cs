using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Fleet.Errors;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Updates;

/// <summary>The root signing ceremony: a new root is prepared here, signed wherever its keys are, and imported.</summary>
public sealed partial class TufRepository
{
    /// <summary>Most root keys one root may list.</summary>
    public const int MaxRootKeys = 16;

    /// <summary>New keys (public) and threshold for a role; nulls keep what the current root has.</summary>
    public sealed record RoleChange(IReadOnlyList<ECDsa>? Keys, int? Threshold);

    /// <summary>
    /// The <c>signed</c> part of root version N+1: the same role keys as root N except the root and targets
    /// roles where changes are given. Nothing is published until <see cref="ImportRootAsync"/> receives
    /// enough signatures.
    /// </summary>
    public async Task<JsonObject> PrepareRootAsync(RoleChange root, RoleChange targets, CancellationToken cancellationToken)
    {
        return await UnderLockAsync<JsonObject>(() =>
        {
            return PrepareRootLocked(root, targets);
        }, cancellationToken);
    }

    private JsonObject PrepareRootLocked(RoleChange root, RoleChange targets)
    {
        var signed = CurrentRoot()["signed"]!.DeepClone().AsObject();
        signed["version"] = signed["version"]!.GetValue<long>() + 1;
        signed["expires"] = TufMetadata.FormatExpiry(time.GetUtcNow() + RootLifetime);
        var keys = signed["keys"]!.AsObject();
        var roles = signed["roles"]!.AsObject();
        foreach (var (name, change) in new[] { ("root", root), ("targets", targets) })
        {
            if (change.Keys is { Count: > 0 } newKeys)
            {
                if (newKeys.Count > MaxRootKeys)
                {
                    throw new FleetException(FleetErrorKind.Invalid, $"a role lists at most {MaxRootKeys} keys");
                }

                var ids = new JsonArray();
                foreach (var key in newKeys)
                {
                    var tufKey = TufKey.FromEcdsa(key);
                    keys[tufKey.KeyId] = tufKey.Json.DeepClone();
                    if (!ids.Any(id => id!.GetValue<string>() == tufKey.KeyId))
                    {
                        ids.Add(tufKey.KeyId);
                    }
                }

                roles[name] = new JsonObject { ["keyids"] = ids, ["threshold"] = change.Threshold ?? 1 };
            }
            else if (change.Threshold is { } t)
            {
                roles[name]!["threshold"] = t;
            }

            var count = roles[name]!["keyids"]!.AsArray().Count;
            var wanted = roles[name]!["threshold"]!.GetValue<int>();
            if (wanted < 1 || wanted > count)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"the {name} threshold must be 1 to {count} (the number of {name} keys)");
            }
        }

        // Keys no role lists any more leave the root.
        var used = roles.SelectMany(role => role.Value!["keyids"]!.AsArray().Select(id => id!.GetValue<string>())).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in keys.Select(k => k.Key).Where(id => !used.Contains(id)).ToArray())
        {
            keys.Remove(unused);
        }

        return signed;
    }

    /// <summary>
    /// Publishes root N+1 when its signatures meet the threshold of root N's root role and of its own
    /// (TUF §5.3.4–§5.3.5, what every client checks). When this node still holds a root key that either
    /// root lists, it adds its signature; a node root or targets key the new root no longer lists is deleted
    /// (that role went offline; the targets then wait to be signed by the new targets keys). Returns the new version.
    /// </summary>
    public async Task<long> ImportRootAsync(JsonObject signed, IReadOnlyList<JsonObject> signatures, CancellationToken cancellationToken)
    {
        return await UnderLockAsync<long>(() =>
        {
            return ImportRootLocked(signed, signatures);
        }, cancellationToken);
    }

    private long ImportRootLocked(JsonObject signed, IReadOnlyList<JsonObject> signatures)
    {
        var current = CurrentRoot()["signed"]!.AsObject();
        var next = CheckImportable(signed, "root", current["version"]!.GetValue<long>());

        var all = new JsonArray([.. signatures.Select(s => (JsonNode)s.DeepClone())]);
        ECDsa? nodeKey = _keys.ContainsKey("root") || keys.Exists(KeyName("root")) ? Key("root") : null;
        var envelope = new JsonObject { ["signatures"] = all, ["signed"] = signed.DeepClone() };
        if (SignedMetadata.DuplicateKeyId(envelope) is { } duplicate)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"key {duplicate} signed more than once; give each signature once");
        }

        // The node's own signature, unless a key holder already gave it: clients refuse a key id signing twice.
        if (nodeKey is not null && (Lists(current, nodeKey) || Lists(signed, nodeKey))
            && !all.Any(s => Json.Text(Json.Field(s, "keyid")) == TufKey.FromEcdsa(nodeKey).KeyId))
        {
            all.Add(SignedMetadata.Signature(signed, nodeKey));
        }

        foreach (var (name, root) in new[] { ("the published root", current), ("the new root", signed) })
        {
            if (!SignedMetadata.MeetsRoleThreshold(envelope, root, "root"))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"the signatures do not meet the root threshold of {name}");
            }
        }

        Write($"{next}.root.json", envelope);
        RetireTargetsKeyLocked(signed);
        if (nodeKey is not null && !Lists(signed, nodeKey))
        {
            DeleteKey("root");
        }

        return next;
    }

    /// <summary>The newest published root envelope.</summary>
    public JsonObject CurrentRoot() =>
        JsonNode.Parse(File.ReadAllBytes(Path.Combine(MetadataDirectory, $"{LatestVersion("root")}.root.json")))!.AsObject();

    private static bool Lists(JsonObject root, ECDsa key) =>
        root["roles"]!["root"]!["keyids"]!.AsArray().Any(id => id!.GetValue<string>() == TufKey.FromEcdsa(key).KeyId);

    // The checks every client makes of a role's next version: its type, exactly the next version, not expired. Returns the version.
    private long CheckImportable(JsonObject signed, string type, long published)
    {
        if (Json.Text(signed["_type"]) != type || signed["version"] is not JsonValue v || !v.TryGetValue<long>(out var version) || version != published + 1)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"this is not {type} version {published + 1} (the next after the published {published})");
        }

        return TufMetadata.TryGetExpiry(signed, out var expiry) && expiry > time.GetUtcNow()
            ? version
            : throw new FleetException(FleetErrorKind.Invalid, $"the {type} metadata has expired or has no valid expiry");
    }
}
