using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// TUF's signed envelope (specification §4.2): <c>{"signatures": [{"keyid", "sig"}], "signed": {...}}</c>,
/// each signature an ECDSA P-256 signature (hex of DER) over the canonical JSON of <c>signed</c>.
/// </summary>
public static class SignedMetadata
{
    /// <summary>Wraps <paramref name="signed"/> in an envelope signed by every given key.</summary>
    public static JsonObject Sign(JsonObject signed, IEnumerable<ECDsa> keys)
    {
        var signatures = new JsonArray();
        foreach (var key in keys)
        {
            signatures.Add(Signature(signed, key));
        }

        return new JsonObject { ["signatures"] = signatures, ["signed"] = signed.DeepClone() };
    }

    /// <summary>
    /// One signature <c>{"keyid", "sig"}</c> over the canonical JSON of <paramref name="signed"/>: what a key
    /// holder makes on an offline machine in a signing ceremony.
    /// </summary>
    public static JsonObject Signature(JsonObject signed, ECDsa key) => new()
    {
        ["keyid"] = TufKey.FromEcdsa(key).KeyId,
        ["sig"] = Convert.ToHexStringLower(key.SignData(CanonicalJson.Encode(signed), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
    };

    /// <summary>
    /// True when the envelope is signed by a threshold of <paramref name="role"/>'s keys as the <c>signed</c>
    /// part of a root (<paramref name="signedRoot"/>) names them (§5.3.4 for root, the same for every role).
    /// A root without that role, or with a malformed one, is met by nothing.
    /// </summary>
    public static bool MeetsRoleThreshold(JsonObject envelope, JsonObject signedRoot, string role)
    {
        if (signedRoot["roles"]?[role] is not JsonObject roleNode || roleNode["threshold"] is not JsonValue t || !t.TryGetValue<int>(out var threshold)
            || roleNode["keyids"] is not JsonArray ids)
        {
            return false;
        }

        var keys = (signedRoot["keys"] as JsonObject)?.ToDictionary(pair => pair.Key, pair => pair.Value) ?? [];
        return MeetsThreshold(envelope, keys, ids.Select(Json.Text).OfType<string>().ToHashSet(StringComparer.Ordinal), threshold);
    }

    /// <summary>
    /// True when at least <paramref name="threshold"/> distinct keys among <paramref name="authorizedKeyIds"/>
    /// signed the envelope's <c>signed</c> part (§5.3.4): a key counts once however often it appears,
    /// a key id whose key does not hash to it counts not at all.
    /// </summary>
    public static bool MeetsThreshold(JsonObject envelope, IReadOnlyDictionary<string, JsonNode?> keys, IReadOnlyCollection<string> authorizedKeyIds, int threshold)
    {
        if (threshold < 1 || envelope["signed"] is not JsonObject signed || envelope["signatures"] is not JsonArray signatures)
        {
            return false;
        }

        var bytes = CanonicalJson.Encode(signed);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in signatures)
        {
            if (entry is not JsonObject signature || Json.Text(signature["keyid"]) is not { } keyId || Json.Text(signature["sig"]) is not { } hex
                || !authorizedKeyIds.Contains(keyId) || valid.Contains(keyId) || !keys.TryGetValue(keyId, out var keyJson))
            {
                continue;
            }

            // The key id must be the key's own hash, or one key could be listed under many ids.
            if (Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(keyJson))) != keyId)
            {
                continue;
            }

            using var key = TufKey.PublicKeyOf(keyJson);
            byte[] der;
            try
            {
                der = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                continue;
            }

            if (key is not null && key.VerifyData(bytes, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            {
                valid.Add(keyId);
            }
        }

        return valid.Count >= threshold;
    }
}
