using Rampart.Detection.Metrics;

namespace Rampart.Detection.Tests.Detectors;

/// <summary>Drift's own bound is a setting (docs/detection.md, "Drift and the two-window target"): the least sustained rise it reports.</summary>
public sealed class DriftSettingTests
{
    [Fact]
    public async Task A_lasting_thirty_percent_rise_of_load_is_no_drift_but_a_lasting_doubling_is()
    {
        // +30 % lies within 3 spreads of the reference, which learns it as the new normal; +100 % does not.
        Assert.Empty(await StepAsync(new DetectionOptions(), 1.3));
        Assert.Contains(await StepAsync(new DetectionOptions(), 2), f => f.Detector == "drift.bytes-in" && f.DeviceId == "d001");
    }

    [Fact]
    public async Task A_lower_minimum_rise_catches_a_four_percent_drift_sooner()
    {
        var byDefault = await WindowsToDriftAsync(new DetectionOptions());
        var sooner = await WindowsToDriftAsync(new DetectionOptions { DriftMinimumRise = 0.3 });

        Assert.True(sooner < byDefault, $"{sooner} windows with a rise of 0.3, {byDefault} with the default 0.6");
    }

    // A lone device (no cohort) of ~7.5 KB a minute, so the rise, not a metric's floor, bounds the threshold.
    private static BehaviourWindow Window(Fleet fleet, double factor)
    {
        var window = fleet.Normal("d001");
        window[BehaviourMetric.BytesIn] = (float)(window[BehaviourMetric.BytesIn] * 10 * factor);
        return window;
    }

    // 40 calm windows, then the load is `step` times what it was, for 60 windows: every finding.
    private static async Task<List<Detection.Detectors.Finding>> StepAsync(DetectionOptions options, double step)
    {
        var fleet = new Fleet(options: options);
        var findings = new List<Detection.Detectors.Finding>();
        for (var i = 0; i < 100; i++)
        {
            findings.AddRange(await fleet.JudgeAsync(Window(fleet, i < 40 ? 1 : step)));
        }

        return findings;
    }

    private static async Task<int> WindowsToDriftAsync(DetectionOptions options)
    {
        var fleet = new Fleet(options: options);
        for (var i = 0; i < 40; i++)
        {
            Assert.Empty(await fleet.JudgeAsync(Window(fleet, 1)));
        }

        var factor = 1.0;
        for (var window = 1; window <= 120; window++)
        {
            factor *= 1.04;
            if ((await fleet.JudgeAsync(Window(fleet, factor))).Any(f => f.Detector == "drift.bytes-in"))
            {
                return window;
            }
        }

        return int.MaxValue;
    }
}
