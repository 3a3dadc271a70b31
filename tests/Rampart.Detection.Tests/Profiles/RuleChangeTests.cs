using System.Text;
using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;

namespace Rampart.Detection.Tests.Profiles;

public sealed class RuleChangeTests
{
    [Fact]
    public async Task Adding_a_rule_does_not_reset_the_streak_of_a_rule_that_did_not_change()
    {
        var slow = RuleSet.Parse(Encoding.UTF8.GetBytes("""{ "rules": [ { "name": "slow-leak", "metric": "bytes-out", "comparison": ">", "threshold": 1000, "windows": 3, "severity": "high" } ] }"""));
        var other = RuleSet.Parse(Encoding.UTF8.GetBytes("""{ "rules": [ { "name": "chatty", "metric": "messages-in", "comparison": ">", "threshold": 100000, "windows": 1, "severity": "low" } ] }"""));
        var fleet = new Fleet(rules: slow);
        var fired = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            if (i == 2)
            {
                // An operator adds an unrelated rule while the leak is two windows in.
                fleet.Engine.UseRules([.. slow, .. other]);
            }

            var window = fleet.Normal("d1");
            window[BehaviourMetric.BytesOut] = 5000;
            fired.Add((await fleet.JudgeAsync(window)).Count(f => f.Detector == "rule.slow-leak"));
        }

        Assert.Equal([0, 0, 1], fired);
    }
}
