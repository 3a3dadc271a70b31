using Rampart.Detection.Metrics;

namespace Rampart.Detection.Tests.Detectors;

public sealed class SequenceDetectorTests
{
    [Fact]
    public async Task Three_restarts_within_ten_windows_are_a_reboot_loop()
    {
        var fleet = new Fleet();
        List<string> detectors = [];
        for (var boot = 1; boot <= 4; boot++)
        {
            var window = fleet.Normal("d1", posture: Fleet.Posture(boot: boot, uptime: 30));
            window[BehaviourMetric.Reboots] = boot == 1 ? 0 : 1;
            detectors.AddRange((await fleet.JudgeAsync(window)).Select(f => f.Detector));
        }

        Assert.Equal(["sequence.reboot-loop"], detectors.Distinct());
        Assert.Single(detectors);
    }

    [Fact]
    public async Task A_restart_now_and_then_is_not_a_loop()
    {
        var fleet = new Fleet();
        for (var i = 0; i < 60; i++)
        {
            var window = fleet.Normal("d1");
            window[BehaviourMetric.Reboots] = i % 8 == 0 ? 1 : 0;
            Assert.Empty(await fleet.JudgeAsync(window));
        }
    }

    [Fact]
    public async Task A_measurement_that_changes_without_a_new_version_is_critical_and_an_update_is_not()
    {
        var fleet = new Fleet();
        await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(version: "2.1.0", measurement: "sha256:aaaa")));

        Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(version: "2.2.0", measurement: "sha256:bbbb"))));
        var finding = Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(version: "2.2.0", measurement: "sha256:ffff"))));

        Assert.Equal("sequence.measurement-changed", finding.Detector);
        Assert.Equal(Detection.Detectors.AlertSeverity.Critical, finding.Severity);
        Assert.Equal("sha256:bbbb", finding.Evidence["previous"]);
    }

    [Fact]
    public async Task A_tamper_flag_is_reported_and_a_clean_report_is_not()
    {
        var fleet = new Fleet();
        Assert.Empty(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture())));

        var finding = Assert.Single(await fleet.JudgeAsync(fleet.Normal("d1", posture: Fleet.Posture(tamper: ["case-open"]))));

        Assert.Equal("sequence.tamper", finding.Detector);
        Assert.Equal("case-open", finding.Evidence["flags"]);
    }

    [Fact]
    public async Task The_gateways_clone_and_scanner_signals_become_findings()
    {
        var fleet = new Fleet();
        await fleet.NormalAsync(3, "d1", "d2");
        var clone = fleet.Normal("d1");
        var cloneWindow = new BehaviourWindow("d1", clone.Start, clone.End) { Sources = ["10.0.0.5", "10.0.0.99"], Active = true, Events = new Dictionary<string, int> { ["gateway.possible-cloned-identity"] = 2 } };
        var scanner = fleet.Normal("d2");
        scanner[BehaviourMetric.AuthorizationFailures] = 12;

        var findings = await fleet.JudgeAsync(cloneWindow, scanner);

        Assert.Contains(findings, f => f is { Detector: "gateway.cloned-identity", DeviceId: "d1" });
        Assert.Contains(findings, f => f is { Detector: "gateway.scanner", DeviceId: "d2" });
    }

    [Fact]
    public async Task A_few_denials_are_not_a_scanner()
    {
        var fleet = new Fleet();
        var window = fleet.Normal("d1");
        window[BehaviourMetric.AuthorizationFailures] = 2;

        Assert.DoesNotContain(await fleet.JudgeAsync(window), f => f.Detector == "gateway.scanner");
    }
}
