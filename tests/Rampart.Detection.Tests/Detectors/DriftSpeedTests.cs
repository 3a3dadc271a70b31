using Rampart.Detection.Metrics;

namespace Rampart.Detection.Tests.Detectors;

/// <summary>The drift detector judges the level against the level's own deviation (docs/detection.md, "Drift"): faster, and no noisier.</summary>
public sealed class DriftSpeedTests
{
    [Fact]
    public async Task A_four_percent_drift_is_caught_within_twenty_windows_and_a_calm_fleet_raises_no_drift_over_many_windows()
    {
        var fleet = new Fleet();
        var devices = Fleet.Devices(40);
        await fleet.NormalAsync(40, devices);

        var factor = 1.0;
        var window = 0;
        for (; window < 120; window++)
        {
            factor *= 1.04;
            var drifting = fleet.Normal("d001");
            drifting[BehaviourMetric.BytesIn] = (float)(drifting[BehaviourMetric.BytesIn] * factor);
            if ((await fleet.JudgeAsync([drifting, .. devices.Skip(1).Select(d => fleet.Normal(d))])).Any(f => f.Detector == "drift.bytes-in"))
            {
                break;
            }
        }

        // Judged against a window's deviation, as before, this took 27 windows in the bench and 24 here.
        Assert.InRange(window + 1, 11, 20);

        // The same thresholds over 300 calm windows of 39 devices (11,700 device-windows): no drift.
        var calm = await fleet.NormalAsync(300, [.. devices.Skip(1)]);
        Assert.DoesNotContain(calm, f => f.Detector.StartsWith("drift.", StringComparison.Ordinal));
    }
}
