using Rampart.Detection.Metrics;

namespace Rampart.Detection.Detectors;

/// <summary>
/// Slow growth (issue 14: "drift"): the metric's recent level (an EWMA over about ten windows) and the window's value have left
/// the device's long reference — max(k · σ_level, rise · mean, k · floor) above its mean, k =
/// <see cref="DetectionOptions.OwnDeviations"/>, rise = <see cref="DetectionOptions.DriftMinimumRise"/>
/// (the largest sustained change of load that is not drift). σ_level is the deviation of the level,
/// not of one window: an EWMA with weight α of independent windows of deviation σ has deviation
/// σ·√(α / (2 − α)) (0.229 σ at α = 0.1; Roberts 1959, the EWMA control chart's asymptotic limit), so
/// k of those has the false-alarm rate k σ has for one window. Judging the level against a window's σ, as before, asked a drift for 4.4 times the
/// evidence a jump needs (27 windows at +4 % a window, now 21: docs/benchmarks.md).
/// Each window of a drift is too small a step for the per-window detectors, and the own baseline
/// follows it; the reference does not, because it learns a value only while the value stays within 3
/// spreads of it. Judges once the reference has <see cref="Baselines.MetricBaseline.Settled"/> windows.
/// </summary>
public sealed class DriftDetector(BehaviourMetric metric, float floor, AlertSeverity severity) : IDetector
{
    /// <summary>
    /// Every metric the baseline detector judges is watched for drift too (docs/detection.md, "Drift"):
    /// a metric judged per window but not for drift could be walked up, window by window just under the
    /// threshold, without limit. The floors are an eighth of the baseline detector's (a level, not a window).
    /// </summary>
    public static IReadOnlyList<DriftDetector> Defaults { get; } =
        BaselineDetector.Defaults.Select(baseline => new DriftDetector(baseline.Metric, Math.Max(2, baseline.Floor / 8), baseline.Severity)).ToArray();

    /// <summary>√(α / (2 − α)): the deviation of an EWMA of weight α per deviation of one window.</summary>
    public static float LevelDeviationFactor(double weight) => (float)Math.Sqrt(weight / (2 - weight));

    public string Name { get; } = "drift." + metric.Name();

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var reference = context.Profile.Reference;
        if (reference.Samples < Baselines.MetricBaseline.Settled)
        {
            return;
        }

        var level = context.Profile.Level[(int)metric];
        var mean = reference.Mean(metric);
        var options = context.Options;
        var k = (float)options.OwnDeviations;
        var threshold = mean + Math.Max(k * reference.Deviation(metric) * LevelDeviationFactor(options.DriftLevelWeight),
            Math.Max((float)options.DriftMinimumRise * Math.Abs(mean), k * floor));
        // The window itself must be up there too (else the level is only the echo of a jump that has
        // ended), and a jump the baseline detector reported this window is its, not a drift.
        if (level > threshold && context.Window[metric] > threshold && !findings.Any(f => f.Detector == "baseline." + metric.Name()))
        {
            findings.Add(context.Finding(Name, severity,
                $"{metric.Name()} has grown to a level of {DetectionContext.Show(level)} a window, from the device's reference of {DetectionContext.Show(mean)}",
                new()
                {
                    ["metric"] = metric.Name(),
                    ["level"] = DetectionContext.Show(level),
                    ["value"] = DetectionContext.Show(context.Window[metric]),
                    ["reference-mean"] = DetectionContext.Show(mean),
                    ["reference-deviation"] = DetectionContext.Show(reference.Deviation(metric)),
                    ["reference-windows"] = reference.Samples.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["threshold"] = DetectionContext.Show(threshold),
                }));
        }
    }
}
