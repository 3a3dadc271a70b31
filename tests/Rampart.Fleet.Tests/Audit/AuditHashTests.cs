using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Tests.Audit;

public sealed class AuditHashTests
{
    private static readonly DateTimeOffset _time = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static byte[] Hash(long seq = 1, long ms = 0, string actor = "a", string action = "b", string target = "c", string outcome = "success", string details = "{}", byte prev = 0) =>
        AuditHash.Compute(seq, _time.AddMilliseconds(ms), actor, action, target, outcome, details, Enumerable.Repeat(prev, 32).ToArray());

    [Fact]
    public void The_same_entry_always_hashes_the_same() => Assert.Equal(Hash(), Hash());

    [Fact]
    public void Every_field_changes_the_hash()
    {
        var baseline = Hash();
        byte[][] changed =
        [
            Hash(seq: 2), Hash(ms: 1), Hash(actor: "x"), Hash(action: "x"), Hash(target: "x"),
            Hash(outcome: "denied"), Hash(details: "{\"k\":\"v\"}"), Hash(prev: 1),
        ];

        Assert.All(changed, hash => Assert.NotEqual(baseline, hash));
        Assert.Equal(changed.Length, changed.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void Moving_text_between_fields_changes_the_hash() =>
        Assert.NotEqual(Hash(actor: "ab", action: "c"), Hash(actor: "a", action: "bc"));

    [Fact]
    public void Details_hash_the_same_whatever_order_they_were_given_in()
    {
        var one = AuditDetails.Serialize(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        var two = AuditDetails.Serialize(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });

        Assert.Equal("{\"a\":\"1\",\"b\":\"2\"}", one);
        Assert.Equal(one, two);
    }
}
