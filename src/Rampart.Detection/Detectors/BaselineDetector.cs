using Rampart.Detection.Baselines;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Detectors;

/// <summary>
/// Statistical exceedance of one metric (issue 14, item 3): the window's value against the device's own
/// baseline once that has <see cref="DetectionOptions.OwnBaselineAfterWindows"/> windows, and always
/// against its cohort's (so a new device is judged from its first window, and a device that drifts
/// slowly — which its own baseline follows — is still caught once it leaves its peers behind).
/// Exceedance: value − mean &gt; k · max(σ, floor, mean / 10), k from the options; the floors keep a metric that
/// never varied from alerting on a change of one. Only increases count: dropping traffic is not an attack signature here.
/// </summary>
public sealed class BaselineDetector(BehaviourMetric metric, float floor, AlertSeverity severity) : IDetector
{
    /// <summary>The metrics judged statistically by default, with the smallest spread each is judged by.</summary>
    public static IReadOnlyList<BaselineDetector> Defaults { get; } =
    [
        new(BehaviourMetric.MessagesIn, 5, AlertSeverity.Medium),
        new(BehaviourMetric.BytesIn, 512, AlertSeverity.High),
        new(BehaviourMetric.MessagesOut, 5, AlertSeverity.Medium),
        new(BehaviourMetric.BytesOut, 512, AlertSeverity.Medium),
        new(BehaviourMetric.MaxMessageBytes, 256, AlertSeverity.High),
        new(BehaviourMetric.DistinctTopics, 3, AlertSeverity.Medium),
        new(BehaviourMetric.ConnectionAttempts, 3, AlertSeverity.Medium),
        new(BehaviourMetric.EstablishedConnections, 4, AlertSeverity.Medium),
        new(BehaviourMetric.Destinations, 3, AlertSeverity.Medium),
    ];

    public string Name { get; } = "baseline." + metric.Name();

    public BehaviourMetric Metric => metric;

    /// <summary>The smallest spread this metric is judged by.</summary>
    public float Floor => floor;

    public AlertSeverity Severity => severity;

    public void Evaluate(DetectionContext context, List<Finding> findings)
    {
        var value = context.Window[metric];
        var profile = context.Profile;
        if (profile.Own.Samples >= context.Options.OwnBaselineAfterWindows && Exceeds(profile.Own, value, context.Options.OwnDeviations) is { } own)
        {
            findings.Add(context.Finding(Name, severity, $"{metric.Name()} {DetectionContext.Show(value)} is far above the device's own baseline ({own})", Evidence(value, profile.Own, "own", context.Options.OwnDeviations)));
            return;
        }

        if (context.Cohort is { Ready: true } cohort && Exceeds(cohort.Baseline, value, context.Options.CohortDeviations) is { } peers)
        {
            var evidence = Evidence(value, cohort.Baseline, "cohort", context.Options.CohortDeviations);
            evidence["cohort"] = cohort.Key;
            findings.Add(context.Finding(Name, severity, $"{metric.Name()} {DetectionContext.Show(value)} is far above its cohort {cohort.Key} ({peers})", evidence));
        }
    }

    private string? Exceeds(MetricBaseline baseline, float value, double deviations)
    {
        var mean = baseline.Mean(metric);
        var spread = Spread(baseline);
        return value - mean > deviations * spread
            ? $"mean {DetectionContext.Show(mean)}, σ {DetectionContext.Show(baseline.Deviation(metric))}"
            : null;
    }

    private Dictionary<string, string> Evidence(float value, MetricBaseline baseline, string against, double deviations) => new()
    {
        ["metric"] = metric.Name(),
        ["value"] = DetectionContext.Show(value),
        ["baseline"] = against,
        ["baseline-mean"] = DetectionContext.Show(baseline.Mean(metric)),
        ["baseline-deviation"] = DetectionContext.Show(baseline.Deviation(metric)),
        ["baseline-p95"] = DetectionContext.Show(baseline.P95(metric)),
        ["baseline-windows"] = baseline.Samples.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["threshold"] = DetectionContext.Show(baseline.Mean(metric) + (deviations * Spread(baseline))),
    };

    // The spread judged by: σ, but never less than the metric's floor nor a tenth of the mean (a
    // metric that barely varied must not alert on a change a person would call noise).
    private float Spread(MetricBaseline baseline) => Math.Max(baseline.Deviation(metric), Math.Max(floor, 0.1f * Math.Abs(baseline.Mean(metric))));
}
