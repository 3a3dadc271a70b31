using System.Text;
using Rampart.Detection.Baselines;
using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;

namespace Rampart.Detection.Tests.Profiles;

public sealed class StaticRuleTests
{
    private static IReadOnlyList<StaticRule> Parse(string json) => RuleSet.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task A_rule_fires_only_after_its_consecutive_windows_and_only_on_the_models_it_scopes()
    {
        var rules = Parse("""{ "rules": [ { "name": "chatty-cameras", "metric": "messages-in", "comparison": ">", "threshold": 100, "windows": 3, "severity": "high", "models": ["cam-1"] } ] }""");
        var fleet = new Fleet(rules: rules);
        var results = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var camera = fleet.Normal("cam");
            camera[BehaviourMetric.MessagesIn] = 150;
            var sensor = fleet.Normal("sensor");
            sensor[BehaviourMetric.MessagesIn] = 150;
            if (i == 0)
            {
                await fleet.Engine.EvaluateAsync([camera, sensor], CancellationToken.None);
                fleet.Engine.Read("cam", p => p.Facts = new DeviceFacts("cam-1", null, null, []));
                fleet.Engine.Read("sensor", p => p.Facts = new DeviceFacts("sensor-1", null, null, []));
                fleet.Clock.Advance(Fleet.Window);
                continue;
            }

            var findings = await fleet.JudgeAsync(camera, sensor);
            results.Add(findings.Count(f => f.Detector == "rule.chatty-cameras"));
            Assert.DoesNotContain(findings, f => f.DeviceId == "sensor" && f.Detector.StartsWith("rule.", StringComparison.Ordinal));
        }

        Assert.Equal([0, 0, 1], results);
    }

    [Fact]
    public void Every_problem_of_a_rules_document_is_reported_with_where_it_is()
    {
        var error = Assert.Throws<RuleSetException>(() => Parse("""
            { "rules": [
              { "name": "Bad Name", "metric": "bytes", "comparison": "=>", "threshold": -1, "windows": 0, "severity": "urgent", "colour": "red" },
              { "name": "ok", "metric": "bytes-in", "comparison": ">", "threshold": 10 },
              { "name": "ok", "metric": "bytes-in", "comparison": ">", "threshold": 20 }
            ] }
            """));

        Assert.Contains("rules[0]: unknown field 'colour'", error.Problems);
        Assert.Contains(error.Problems, p => p.StartsWith("rules[0].name:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("rules[0].metric: 'bytes' is not a metric (known: messages-in,", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("rules[0].comparison: '=>'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("rules[0].threshold:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("rules[0].windows:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("rules[0].severity: 'urgent'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("rules[2].name: 'ok' is used twice", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "the document must be an object with a \"rules\" array")]
    [InlineData("""{ "rules": [ { "name": "flood", "metric": "limit-hits", "comparison": ">", "threshold": 1 } ] }""", "is used twice (built-in rules")]
    [InlineData("""{ "rules": [ { "name": "a", "metric": "bytes-in", "comparison": ">", "threshold": 1, "severity": "1" } ] }""", "severity: '1'")]
    public void A_document_that_is_not_a_rule_set_is_refused_with_the_reason(string json, string reason)
    {
        var error = Assert.Throws<RuleSetException>(() => Parse(json));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_in_flood_rule_catches_a_device_that_hits_its_limits()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(3, "d1");
        var flood = fleet.Normal("d1");
        flood[BehaviourMetric.LimitHits] = 400;

        Assert.Contains(await fleet.JudgeAsync(flood), f => f.Detector == "rule.flood");
    }
}
