using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>TUF's canonical JSON and signature thresholds (specification §4.2, §5.3.4).</summary>
public sealed class SignedMetadataTests
{
    [Fact]
    public void Canonical_JSON_sorts_keys_drops_whitespace_and_escapes_only_quote_and_backslash()
    {
        var node = JsonNode.Parse("""{ "b": [1, true, null], "a": { "z": "x\"y\\z\n", "é": -7 } }""");

        Assert.Equal("{\"a\":{\"z\":\"x\\\"y\\\\z\n\",\"é\":-7},\"b\":[1,true,null]}", Encoding.UTF8.GetString(CanonicalJson.Encode(node)));
    }

    [Fact]
    public void Canonical_JSON_refuses_fractional_numbers() =>
        Assert.Throws<ArgumentException>(() => CanonicalJson.Encode(JsonNode.Parse("""{"x": 1.5}""")));

    [Fact]
    public void A_key_id_is_the_hash_of_the_keys_canonical_form()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tufKey = TufKey.FromEcdsa(key);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(tufKey.Json))), tufKey.KeyId);
        Assert.Equal("ecdsa-sha2-nistp256", tufKey.Json["scheme"]!.GetValue<string>());
    }

    [Fact]
    public void A_threshold_counts_distinct_authorised_keys_with_valid_signatures_only()
    {
        using var a = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var b = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var outsider = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keys = new[] { a, b, outsider }.Select(TufKey.FromEcdsa).ToDictionary(k => k.KeyId, k => (JsonNode?)k.Json);
        var authorized = new[] { TufKey.FromEcdsa(a).KeyId, TufKey.FromEcdsa(b).KeyId };
        var signed = new JsonObject { ["_type"] = "timestamp", ["version"] = 3, ["expires"] = "2030-01-01T00:00:00Z" };

        Assert.True(SignedMetadata.MeetsThreshold(SignedMetadata.Sign(signed, [a, b]), keys, authorized, 2));
        Assert.False(SignedMetadata.MeetsThreshold(SignedMetadata.Sign(signed, [a]), keys, authorized, 2));
        Assert.False(SignedMetadata.MeetsThreshold(SignedMetadata.Sign(signed, [a, a]), keys, authorized, 2));
        Assert.False(SignedMetadata.MeetsThreshold(SignedMetadata.Sign(signed, [a, outsider]), keys, authorized, 2));

        var tampered = SignedMetadata.Sign(signed, [a, b]);
        tampered["signed"]!["version"] = 4;
        Assert.False(SignedMetadata.MeetsThreshold(tampered, keys, authorized, 1));
    }

    [Fact]
    public void A_key_listed_under_an_id_that_is_not_its_hash_does_not_count()
    {
        using var a = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var genuine = TufKey.FromEcdsa(a);
        var envelope = SignedMetadata.Sign(new JsonObject { ["version"] = 1 }, [a]);
        var alias = new string('0', 64);
        envelope["signatures"]![0]!["keyid"] = alias;

        Assert.False(SignedMetadata.MeetsThreshold(envelope, new Dictionary<string, JsonNode?> { [alias] = genuine.Json }, [alias], 1));
    }

    [Theory]
    [InlineData("""{"signed": {}, "signatures": [{"keyid": 5, "sig": []}]}""")]
    [InlineData("""{"signed": [], "signatures": []}""")]
    [InlineData("""{"signatures": "x"}""")]
    [InlineData("""{"signed": {"v": 1}, "signatures": [{"keyid": "k", "sig": "zz"}]}""")]
    public void Malformed_envelopes_are_refused_without_exceptions(string json)
    {
        var envelope = JsonNode.Parse(json)!.AsObject();
        Assert.False(SignedMetadata.MeetsThreshold(envelope, new Dictionary<string, JsonNode?> { ["k"] = new JsonObject() }, ["k"], 1));
    }
}
