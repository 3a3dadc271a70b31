using System.Globalization;
using Rampart.Detection.Detectors;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Profiles;

/// <summary>
/// Evaluates every static rule of the rule set in force against a window. Streaks (consecutive windows
/// a rule held) live in the device's profile, indexed by rule; a new rule set starts every streak afresh.
/// </summary>
public sealed class StaticRuleDetector(Func<RuleSet> rules) : IDetector
{
    public string Name => "rule";

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var set = rules();
        var profile = context.Profile;
        if (profile.Streaks.Length != set.Rules.Count || profile.StreaksVersion != set.Version)
        {
            profile.Streaks = new byte[set.Rules.Count];
            profile.StreaksVersion = set.Version;
        }

        for (var i = 0; i < set.Rules.Count; i++)
        {
            var rule = set.Rules[i];
            if (!rule.Selects(profile.Facts))
            {
                continue;
            }

            var value = context.Window[rule.Metric];
            profile.Streaks[i] = rule.Comparison.Holds(value, rule.Threshold) ? (byte)Math.Min(profile.Streaks[i] + 1, byte.MaxValue) : (byte)0;
            if (profile.Streaks[i] >= rule.Windows)
            {
                findings.Add(context.Finding(rule.Detector, rule.Severity, $"{rule.Metric.Name()} {DetectionContext.Show(value)}: rule {rule.Name} ({rule.Describe()})", new()
                {
                    ["rule"] = rule.Name,
                    ["condition"] = rule.Describe(),
                    ["metric"] = rule.Metric.Name(),
                    ["value"] = DetectionContext.Show(value),
                    ["consecutive-windows"] = profile.Streaks[i].ToString(CultureInfo.InvariantCulture),
                }));
            }
        }
    }
}
