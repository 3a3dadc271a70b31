using Rampart.Detection.Baselines;
using Rampart.Detection.Detectors;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Profiles;

/// <summary>
/// One rule of a security profile ("security profiles as code", the static half of AWS Detect):
/// metric, comparison and threshold, held for <see cref="Windows"/> consecutive windows, on the devices
/// its scope selects (models, zones, tags; an empty list selects all).
/// </summary>
public sealed record StaticRule(
    string Name,
    BehaviourMetric Metric,
    RuleComparison Comparison,
    double Threshold,
    int Windows,
    AlertSeverity Severity,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> Zones,
    IReadOnlyList<string> Tags)
{
    /// <summary>The detector name alerts carry.</summary>
    public string Detector => "rule." + Name;

    /// <summary>Whether the rule applies to a device with these facts.</summary>
    public bool Selects(DeviceFacts? facts) =>
        (Models.Count == 0 || (facts?.Model is { } model && Models.Contains(model)))
        && (Zones.Count == 0 || (facts?.Zone is { } zone && Zones.Contains(zone)))
        && (Tags.Count == 0 || (facts is not null && facts.Tags.Any(Tags.Contains)));

    /// <summary>The rule as text: <c>limit-hits &gt;= 10 for 1 window</c>.</summary>
    public string Describe() => $"{Metric.Name()} {Comparison.Symbol()} {DetectionContext.Show(Threshold)} for {Windows} window{(Windows == 1 ? "" : "s")}";
}
