using System.Globalization;
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

    /// <summary>
    /// The <c>signed</c> part of root version N+1: the same role keys as root N except the root role, which
    /// becomes <paramref name="rootKeys"/> (public keys) with <paramref name="threshold"/> when given.
    /// Nothing is published until <see cref="ImportRootAsync"/> receives enough signatures.
    /// </summary>
    public async Task<JsonObject> PrepareRootAsync(IReadOnlyList<ECDsa>? rootKeys, int? threshold, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var signed = CurrentRoot()["signed"]!.DeepClone().AsObject();
            signed["version"] = signed["version"]!.GetValue<long>() + 1;
            signed["expires"] = Expiry(time.GetUtcNow() + RootLifetime);
            if (rootKeys is { Count: > 0 })
            {
                if (rootKeys.Count > MaxRootKeys)
                {
                    throw new FleetException(FleetErrorKind.Invalid, $"a root lists at most {MaxRootKeys} root keys");
                }

                var keys = signed["keys"]!.AsObject();
                var roles = signed["roles"]!.AsObject();
                var ids = new JsonArray();
                foreach (var key in rootKeys)
                {
                    var tufKey = TufKey.FromEcdsa(key);
                    keys[tufKey.KeyId] = tufKey.Json.DeepClone();
                    if (!ids.Any(id => id!.GetValue<string>() == tufKey.KeyId))
                    {
                        ids.Add(tufKey.KeyId);
                    }
                }

                roles["root"] = new JsonObject { ["keyids"] = ids, ["threshold"] = threshold ?? 1 };

                // Keys no role lists any more leave the root.
                var used = roles.SelectMany(role => role.Value!["keyids"]!.AsArray().Select(id => id!.GetValue<string>())).ToHashSet(StringComparer.Ordinal);
                foreach (var unused in keys.Select(k => k.Key).Where(id => !used.Contains(id)).ToArray())
                {
                    keys.Remove(unused);
                }
            }
            else if (threshold is { } t)
            {
                signed["roles"]!["root"]!["threshold"] = t;
            }

            var rootRole = signed["roles"]!["root"]!;
            var count = rootRole["keyids"]!.AsArray().Count;
            var wanted = rootRole["threshold"]!.GetValue<int>();
            if (wanted < 1 || wanted > count)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"the root threshold must be 1 to {count} (the number of root keys)");
            }

            return signed;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Publishes root N+1 when its signatures meet the threshold of root N's root role and of its own
    /// (TUF §5.3.4–§5.3.5, what every client checks). When this node still holds a root key that either
    /// root lists, it adds its signature; a node key the new root no longer lists is deleted (the root went
    /// offline). Returns the new version.
    /// </summary>
    public async Task<long> ImportRootAsync(JsonObject signed, IReadOnlyList<JsonObject> signatures, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var current = CurrentRoot()["signed"]!.AsObject();
            var version = current["version"]!.GetValue<long>();
            if (Text(signed["_type"]) != "root" || signed["version"] is not JsonValue v || !v.TryGetValue<long>(out var next) || next != version + 1)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"this is not root version {version + 1} (the next after the published {version})");
            }

            if (Text(signed["expires"]) is not { } expires || !DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry)
                || expiry <= time.GetUtcNow())
            {
                throw new FleetException(FleetErrorKind.Invalid, "the new root has expired or has no valid expiry");
            }

            var all = new JsonArray([.. signatures.Select(s => (JsonNode)s.DeepClone())]);
            var nodeKeyPath = KeyPath("root");
            ECDsa? nodeKey = File.Exists(nodeKeyPath) ? Key("root") : null;
            var envelope = new JsonObject { ["signatures"] = all, ["signed"] = signed.DeepClone() };
            if (nodeKey is not null && (Lists(current, nodeKey) || Lists(signed, nodeKey)))
            {
                all.Add(SignedMetadata.Signature(signed, nodeKey));
            }

            foreach (var (name, root) in new[] { ("the published root", current), ("the new root", signed) })
            {
                if (!MeetsRootThreshold(envelope, root))
                {
                    throw new FleetException(FleetErrorKind.Invalid, $"the signatures do not meet the root threshold of {name}");
                }
            }

            Write($"{next}.root.json", envelope);
            if (nodeKey is not null && !Lists(signed, nodeKey))
            {
                _keys.Remove("root");
                nodeKey.Dispose();
                File.Delete(nodeKeyPath);
            }

            return next;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The newest published root envelope.</summary>
    public JsonObject CurrentRoot() =>
        JsonNode.Parse(File.ReadAllBytes(Path.Combine(MetadataDirectory, $"{LatestVersion("root")}.root.json")))!.AsObject();

    private static bool MeetsRootThreshold(JsonObject envelope, JsonObject root)
    {
        var keys = root["keys"]!.AsObject().ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        var role = root["roles"]!["root"]!;
        return SignedMetadata.MeetsThreshold(envelope, keys, role["keyids"]!.AsArray().Select(id => id!.GetValue<string>()).ToArray(), role["threshold"]!.GetValue<int>());
    }

    private static bool Lists(JsonObject root, ECDsa key) =>
        root["roles"]!["root"]!["keyids"]!.AsArray().Any(id => id!.GetValue<string>() == TufKey.FromEcdsa(key).KeyId);

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Expiry(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
