using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Minimisation;

namespace Rampart.Privacy.Tests.Minimisation;

public sealed class MinimiserTests
{
    private static readonly Pseudonyms Node = new(RandomNumberGenerator.GetBytes(32));

    private static JsonElement Apply(MinimisationRuleOptions rule, string json, string service = "analytics")
    {
        var result = new Minimiser(rule).Apply(Encoding.UTF8.GetBytes(json), Node.ServiceKey(service), out var problem);
        Assert.True(result is not null, problem);
        return JsonDocument.Parse(result).RootElement;
    }

    [Fact]
    public void A_dropped_field_is_gone_at_any_type_and_every_other_field_is_copied_unchanged()
    {
        var output = Apply(new MinimisationRuleOptions { Drop = ["owner", "history"] },
            """{"owner":"Alice Example","temp":21.5,"history":[1,{"a":"b"}],"nested":{"owner":"kept: only top-level fields"},"ok":true,"none":null,"s":"a\"b"}""");

        Assert.False(output.TryGetProperty("owner", out _));
        Assert.False(output.TryGetProperty("history", out _));
        Assert.Equal(21.5, output.GetProperty("temp").GetDouble());
        Assert.Equal("kept: only top-level fields", output.GetProperty("nested").GetProperty("owner").GetString());
        Assert.True(output.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, output.GetProperty("none").ValueKind);
        Assert.Equal("a\"b", output.GetProperty("s").GetString());
    }

    [Fact]
    public void Coordinates_are_rounded_to_the_rule_s_decimal_places()
    {
        var output = Apply(new MinimisationRuleOptions { Round = new() { ["lat"] = 2, ["lon"] = 1 } }, """{"lat":52.520008,"lon":-13.404954}""");

        Assert.Equal(52.52, output.GetProperty("lat").GetDouble());
        Assert.Equal(-13.4, output.GetProperty("lon").GetDouble());
    }

    [Theory]
    [InlineData("1764590521", "1764590400")]          // Unix seconds, 15-minute bucket
    [InlineData("1764590521123", "1764590400000")]    // Unix milliseconds
    public void Numeric_timestamps_are_floored_to_the_bucket(string raw, string floored)
    {
        var output = Apply(new MinimisationRuleOptions { Bucket = new() { ["ts"] = TimeSpan.FromMinutes(15) } }, $$"""{"ts":{{raw}}}""");

        Assert.Equal(long.Parse(floored, System.Globalization.CultureInfo.InvariantCulture), output.GetProperty("ts").GetInt64());
    }

    [Fact]
    public void An_iso_timestamp_is_floored_to_the_bucket_in_utc()
    {
        var output = Apply(new MinimisationRuleOptions { Bucket = new() { ["at"] = TimeSpan.FromHours(1) } }, """{"at":"2026-12-01T14:47:12.345+01:00"}""");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 13, 0, 0, TimeSpan.Zero), output.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public void Pseudonyms_are_stable_for_one_service_and_differ_between_services()
    {
        var rule = new MinimisationRuleOptions { Pseudonymise = ["serial", "user"] };
        const string json = """{"serial":"SN-1234","user":"alice@example.org"}""";

        var first = Apply(rule, json, "analytics");
        var again = Apply(rule, json, "analytics");
        var other = Apply(rule, json, "support");

        Assert.Equal(first.GetProperty("serial").GetString(), again.GetProperty("serial").GetString());
        Assert.NotEqual(first.GetProperty("serial").GetString(), other.GetProperty("serial").GetString());
        Assert.NotEqual(first.GetProperty("serial").GetString(), first.GetProperty("user").GetString());
        Assert.DoesNotContain("SN-1234", first.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(22, first.GetProperty("serial").GetString()!.Length);
    }

    [Fact]
    public void Three_rules_on_one_payload_apply_together()
    {
        var output = Apply(new MinimisationRuleOptions { Drop = ["name"], Round = new() { ["lat"] = 2 }, Pseudonymise = ["device"] },
            """{"name":"Alice","lat":48.858370,"device":"d1","v":1}""");

        Assert.Equal(["lat", "device", "v"], output.EnumerateObject().Select(p => p.Name));
        Assert.Equal(48.85, output.GetProperty("lat").GetDouble());
        Assert.NotEqual("d1", output.GetProperty("device").GetString());
    }

    [Theory]
    [InlineData("not json", "not well-formed")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"lat":"north"}""", "string")]
    [InlineData("""{"lat":1} {"lat":2}""", "")]
    [InlineData("""{"lat":1""", "")]
    public void A_payload_the_rules_cannot_apply_to_is_refused_with_a_reason(string json, string reason)
    {
        var result = new Minimiser(new MinimisationRuleOptions { Round = new() { ["lat"] = 2 } }).Apply(Encoding.UTF8.GetBytes(json), Node.ServiceKey("a"), out var problem);

        Assert.Null(result);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
