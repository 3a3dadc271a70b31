using System.Globalization;
using Rampart.Detection.Detectors;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Profiles;

/// <summary>
/// Evaluates every static rule of the rule set in force against a window. Streaks (consecutive windows
/// a rule held) live in the device's profile, indexed by rule. A new rule set carries each streak over
/// to the rule of the same name and definition (a change to one rule must not reset every device's
/// streak of every other rule, or a rule change would hide an attack in progress); a new or changed rule starts at 0.
/// </summary>
public sealed class StaticRuleDetector(Func<RuleSet> rules) : IDetector
{
    public string Name => "rule";

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var set = rules();
        var profile = context.Profile;
        if (!ReferenceEquals(profile.StreaksRules, set))
        {
            profile.Streaks = CarryOver(profile.StreaksRules, profile.Streaks, set);
            profile.StreaksRules = set;
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

    private static byte[] CarryOver(RuleSet? previous, byte[] streaks, RuleSet next)
    {
        var carried = new byte[next.Rules.Count];
        if (previous is null)
        {
            return carried;
        }

        for (var i = 0; i < carried.Length; i++)
        {
            var rule = next.Rules[i];
            for (var j = 0; j < previous.Rules.Count && j < streaks.Length; j++)
            {
                if (Same(previous.Rules[j], rule))
                {
                    carried[i] = streaks[j];
                    break;
                }
            }
        }

        return carried;
    }

    // Same name and same condition and scope: the streak means the same thing under the new set.
    private static bool Same(StaticRule a, StaticRule b) =>
        a.Name == b.Name && a.Metric == b.Metric && a.Comparison == b.Comparison && a.Threshold.Equals(b.Threshold) && a.Windows == b.Windows
        && a.Models.SequenceEqual(b.Models) && a.Zones.SequenceEqual(b.Zones) && a.Tags.SequenceEqual(b.Tags);
}
