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
    public async Task A_slow_drift_that_no_window_shows_as_a_jump_is_caught_by_the_drift_detector_and_its_peers_stay_quiet()
    {
        var fleet = new Fleet();
        var peers = Fleet.Devices(40);
        await fleet.NormalAsync(40, peers);

        // 4 % more bytes each window: steps the per-window detectors take for noise.
        var factor = 1.0;
        List<Detection.Detectors.Finding> first = [];
        var window = 0;
        for (; window < 120 && first.Count == 0; window++)
        {
            factor *= 1.04;
            var drifting = fleet.Normal("d001");
            drifting[BehaviourMetric.BytesIn] = (float)(drifting[BehaviourMetric.BytesIn] * factor);
            var findings = await fleet.JudgeAsync([drifting, .. peers.Skip(1).Select(d => fleet.Normal(d))]);
            Assert.All(findings, f => Assert.Equal("d001", f.DeviceId));
            first = [.. findings];
        }

        var finding = Assert.Single(first);
        Assert.Equal("drift.bytes-in", finding.Detector);
        Assert.True(window > 10, $"caught at window {window}: that is a jump, not a drift");
        Assert.True(float.Parse(finding.Evidence["reference-mean"], System.Globalization.CultureInfo.InvariantCulture) < 1000, "the reference did not follow the drift");
    }

    [Fact]
    public async Task The_level_left_behind_by_a_jump_that_ended_is_not_a_drift()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(40, "d001");
        var jump = fleet.Normal("d001");
        jump[BehaviourMetric.BytesIn] *= 40;
        Assert.Equal(["baseline.bytes-in"], (await fleet.JudgeAsync(jump)).Select(f => f.Detector));

        Assert.Empty(await fleet.NormalAsync(20, "d001"));
    }
}
