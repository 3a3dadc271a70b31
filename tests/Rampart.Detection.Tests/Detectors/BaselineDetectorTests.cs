using Rampart.Detection.Metrics;

namespace Rampart.Detection.Tests.Detectors;

public sealed class BaselineDetectorTests
{
    [Fact]
    public async Task Normal_variation_of_a_fleet_over_two_hours_raises_nothing()
    {
        var fleet = new Fleet();
        var findings = await fleet.NormalAsync(120, Fleet.Devices(50));

        Assert.Empty(findings);
        Assert.Equal(120, fleet.Samples("d001"));
    }

    [Fact]
    public async Task A_device_that_starts_exfiltrating_is_caught_against_its_own_baseline_in_the_first_window()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(40, Fleet.Devices(30));

        var exfiltrating = fleet.Normal("d001");
        exfiltrating[BehaviourMetric.BytesIn] *= 40;
        var findings = await fleet.JudgeAsync([exfiltrating, .. Fleet.Devices(30).Skip(1).Select(d => fleet.Normal(d))]);

        var finding = Assert.Single(findings);
        Assert.Equal("baseline.bytes-in", finding.Detector);
        Assert.Equal("d001", finding.DeviceId);
        Assert.Equal("own", finding.Evidence["baseline"]);
        Assert.Equal(Detection.Detectors.AlertSeverity.High, finding.Severity);
    }

    [Fact]
    public async Task A_new_device_is_judged_against_its_cohort_from_its_first_window()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(5, Fleet.Devices(30));

        var newcomer = fleet.Normal("new-1");
        newcomer[BehaviourMetric.BytesIn] = 400_000;
        var findings = await fleet.JudgeAsync(newcomer);

        var finding = Assert.Single(findings);
        Assert.Equal("cohort", finding.Evidence["baseline"]);
        Assert.Equal("unknown-model/unknown-firmware", finding.Evidence["cohort"]);
    }

    [Fact]
    public async Task An_exfiltration_is_never_learned_as_normal_however_long_it_lasts()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(40, Fleet.Devices(30));
        var before = fleet.Mean("d001", BehaviourMetric.BytesIn);

        var alerted = 0;
        for (var i = 0; i < 60; i++)
        {
            var window = fleet.Normal("d001");
            window[BehaviourMetric.BytesIn] *= 40;
            alerted += (await fleet.JudgeAsync(window)).Count(f => f.Detector == "baseline.bytes-in");
        }

        Assert.Equal(60, alerted);
        Assert.Equal(before, fleet.Mean("d001", BehaviourMetric.BytesIn));
        Assert.Equal(40, fleet.Samples("d001"));
    }

    [Fact]
    public async Task A_slow_drift_that_the_own_baseline_follows_is_caught_against_the_cohort()
    {
        var fleet = new Fleet();
        var peers = Fleet.Devices(40);
        await fleet.NormalAsync(40, peers);

        // 4 % more bytes each window: small steps the device's own baseline follows (it learns each window).
        var factor = 1.0;
        int? caughtAt = null;
        for (var i = 0; i < 120 && caughtAt is null; i++)
        {
            factor *= 1.04;
            var drifting = fleet.Normal("d001");
            drifting[BehaviourMetric.BytesIn] = (float)(drifting[BehaviourMetric.BytesIn] * factor);
            var findings = await fleet.JudgeAsync([drifting, .. peers.Skip(1).Select(d => fleet.Normal(d))]);
            Assert.All(findings, f => Assert.Equal("d001", f.DeviceId));
            if (findings.Any(f => f.Detector == "baseline.bytes-in"))
            {
                caughtAt = i;
                Assert.Equal("cohort", findings.First(f => f.Detector == "baseline.bytes-in").Evidence["baseline"]);
            }
        }

        Assert.NotNull(caughtAt);
        Assert.True(caughtAt > 10, $"caught at window {caughtAt}: that is a jump, not a drift");
    }
}
