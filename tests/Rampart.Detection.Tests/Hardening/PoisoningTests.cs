using Rampart.Detection.Baselines;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Tests.Hardening;

/// <summary>docs/detection.md, "Poisoning defences": what a device controls must not decide what is normal.</summary>
public sealed class PoisoningTests
{
    [Fact]
    public async Task A_device_is_put_in_the_cohort_of_the_version_the_inventory_records_not_the_version_it_reports()
    {
        await using var inventory = await Inventory.StartAsync();
        await inventory.AddAsync("d1", "meter", "2.1.0");
        var fleet = new Fleet(devices: inventory.Devices);

        await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(version: "9.9.9-coming-release")));

        Assert.Equal("meter/2.1.0", fleet.Engine.Read("d1", p => p.Cohort!.Key));
    }

    [Fact]
    public async Task A_new_measurement_under_a_new_reported_version_is_critical_while_the_inventory_records_the_old_version()
    {
        await using var inventory = await Inventory.StartAsync();
        await inventory.AddAsync("d1", "meter", "2.1.0");
        var fleet = new Fleet(devices: inventory.Devices);
        await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(version: "2.1.0", measurement: "sha256:aaaa")));

        var finding = Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(version: "2.2.0", measurement: "sha256:bbbb"))));

        Assert.Equal("sequence.measurement-changed", finding.Detector);
        Assert.Equal("2.1.0", finding.Evidence["installed-version"]);
        Assert.Equal("2.2.0", finding.Evidence["reported-version"]);
    }

    [Fact]
    public async Task An_id_the_inventory_does_not_know_is_not_judged_nor_learned_and_is_counted()
    {
        await using var inventory = await Inventory.StartAsync();
        await inventory.AddAsync("d1", "meter", "2.1.0");
        var fleet = new Fleet(devices: inventory.Devices);

        var ghost = fleet.Normal("ghost-1");
        ghost[BehaviourMetric.AuthorizationFailures] = 50;
        var findings = await fleet.JudgeAsync(fleet.Normal("d1"), ghost);

        Assert.Empty(findings);
        Assert.Equal(1, fleet.Engine.Unknown);
        Assert.Equal(0, fleet.Engine.Read("ghost-1", p => p.Own.Samples));
    }

    [Fact]
    public async Task Fewer_than_five_devices_cannot_make_a_cohort_ready_however_many_windows_they_send()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(30, Fleet.Devices(4));

        Assert.False(fleet.Engine.Read("d001", p => p.Cohort!.Ready));
        await fleet.NormalAsync(1, Fleet.Devices(5));
        Assert.True(fleet.Engine.Read("d001", p => p.Cohort!.Ready));
    }

    [Fact]
    public void Windows_just_under_the_alert_threshold_grow_the_spread_only_slowly()
    {
        var fleet = new Fleet();
        var baseline = new MetricBaseline(60);
        for (var i = 0; i < 120; i++)
        {
            baseline.Learn(fleet.Normal("d1"));
        }

        var before = baseline.Deviation(BehaviourMetric.BytesIn);
        for (var i = 0; i < 10; i++)
        {
            // 5.5 σ above the current mean: under k = 6, so not a finding, so learned.
            var window = fleet.Normal("d1");
            window[BehaviourMetric.BytesIn] = baseline.Mean(BehaviourMetric.BytesIn) + (5.5f * baseline.Deviation(BehaviourMetric.BytesIn));
            baseline.Learn(window);
        }

        // Unclipped, σ² grows ×1.48 a window: σ ×7 in ten. Clipped at 3σ: at most ×1.13 a window, σ < ×1.9.
        Assert.InRange(baseline.Deviation(BehaviourMetric.BytesIn) / before, 1, 2);
    }

    [Fact]
    public async Task A_slow_walk_of_the_largest_message_size_is_caught_as_drift()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(40, "d1");

        var detectors = new List<string>();
        for (var i = 1; i <= 150 && detectors.Count == 0; i++)
        {
            var window = fleet.Normal("d1");
            window[BehaviourMetric.MaxMessageBytes] = 64 + (10 * i);
            detectors.AddRange((await fleet.JudgeAsync(window)).Select(f => f.Detector));
        }

        Assert.Contains("drift.max-message-bytes", detectors);
    }

    [Fact]
    public void A_cohort_key_is_bounded_whatever_the_inventory_holds()
    {
        var key = Cohort.KeyOf(new string('m', 10_000), new string('v', 10_000));

        Assert.Equal((2 * Cohort.MaxKeyPartLength) + 1, key.Length);
    }
}
