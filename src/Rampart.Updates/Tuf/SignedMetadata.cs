using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// TUF's signed envelope (specification §4.2): <c>{"signatures": [{"keyid", "sig"}], "signed": {...}}</c>,
/// each signature (hex) over the canonical JSON of <c>signed</c>, by any key type <see cref="TufKey"/> verifies.
/// </summary>
public static class SignedMetadata
{
    /// <summary>Wraps <paramref name="signed"/> in an envelope signed by every given ECDSA P-256 key.</summary>
    public static JsonObject Sign(JsonObject signed, IEnumerable<ECDsa> keys) => Sign(signed, keys.Select(TufSigner.Ecdsa));

    /// <summary>Wraps <paramref name="signed"/> in an envelope signed by every given signer.</summary>
    public static JsonObject Sign(JsonObject signed, IEnumerable<TufSigner> signers)
    {
        var signatures = new JsonArray();
        foreach (var signer in signers)
        {
            signatures.Add(Signature(signed, signer));
        }

        return new JsonObject { ["signatures"] = signatures, ["signed"] = signed.DeepClone() };
    }

    /// <summary>
    /// One signature <c>{"keyid", "sig"}</c> over the canonical JSON of <paramref name="signed"/>: what a key
    /// holder makes on an offline machine in a signing ceremony.
    /// </summary>
    public static JsonObject Signature(JsonObject signed, ECDsa key) => Signature(signed, TufSigner.Ecdsa(key));

    /// <summary>One signature <c>{"keyid", "sig"}</c> by <paramref name="signer"/>.</summary>
    public static JsonObject Signature(JsonObject signed, TufSigner signer) => new()
    {
        ["keyid"] = signer.PublicKey.KeyId,
        ["sig"] = Convert.ToHexStringLower(signer.Sign(CanonicalJson.Encode(signed))),
    };

    /// <summary>
    /// A key id that signs the envelope more than once, or null. Such metadata is refused outright (as the
    /// reference implementation does): counting the key once would hide a signer that misbehaves.
    /// </summary>
    public static string? DuplicateKeyId(JsonObject envelope)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in envelope["signatures"] as JsonArray ?? [])
        {
            if (Json.Text(Json.Field(entry, "keyid")) is { } keyId && !seen.Add(keyId))
            {
                return keyId;
            }
        }

        return null;
    }

    /// <summary>
    /// True when the envelope is signed by a threshold of <paramref name="role"/>'s keys as the <c>signed</c>
    /// part of a root (<paramref name="signedRoot"/>) names them (§5.3.4 for root, the same for every role).
    /// A root without that role, or with a malformed one, is met by nothing.
    /// </summary>
    public static bool MeetsRoleThreshold(JsonObject envelope, JsonObject signedRoot, string role) =>
        Json.Field(signedRoot["roles"], role) is JsonObject roleNode && MeetsRoleThreshold(envelope, signedRoot["keys"] as JsonObject, roleNode);

    /// <summary>
    /// True when the envelope meets a role description <c>{"keyids", "threshold"}</c> (a top-level role in
    /// root, or a delegated role in targets, §4.5) with keys from <paramref name="keys"/>.
    /// </summary>
    public static bool MeetsRoleThreshold(JsonObject envelope, JsonObject? keys, JsonObject roleNode)
    {
        if (roleNode["threshold"] is not JsonValue t || !t.TryGetValue<int>(out var threshold) || roleNode["keyids"] is not JsonArray ids)
        {
            return false;
        }

        var keyObjects = keys?.ToDictionary(pair => pair.Key, pair => pair.Value) ?? [];
        return MeetsThreshold(envelope, keyObjects, ids.Select(Json.Text).OfType<string>().ToHashSet(StringComparer.Ordinal), threshold);
    }

    /// <summary>
    /// True when at least <paramref name="threshold"/> distinct keys among <paramref name="authorizedKeyIds"/>
    /// signed the envelope's <c>signed</c> part (§5.3.4). An envelope that lists a key id twice meets nothing;
    /// a key id whose key does not hash to it counts not at all.
    /// </summary>
    public static bool MeetsThreshold(JsonObject envelope, IReadOnlyDictionary<string, JsonNode?> keys, IReadOnlyCollection<string> authorizedKeyIds, int threshold)
    {
        if (threshold < 1 || envelope["signed"] is not JsonObject signed || envelope["signatures"] is not JsonArray signatures
            || DuplicateKeyId(envelope) is not null)
        {
            return false;
        }

        var bytes = CanonicalJson.Encode(signed);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in signatures)
        {
            if (entry is not JsonObject signature || Json.Text(signature["keyid"]) is not { } keyId || Json.Text(signature["sig"]) is not { } hex
                || !authorizedKeyIds.Contains(keyId) || !keys.TryGetValue(keyId, out var keyJson) || keyJson is null)
            {
                continue;
            }

            // §4.2: the key id is the key's own hash, or one key could be listed under many ids and count twice.
            if (TufKey.IdOf(keyJson) != keyId || !TryHex(hex, out var raw))
            {
                continue;
            }

            if (TufKey.Verify(keyJson, bytes, raw))
            {
                valid.Add(keyId);
            }
        }

        return valid.Count >= threshold;
    }

    private static bool TryHex(string hex, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
