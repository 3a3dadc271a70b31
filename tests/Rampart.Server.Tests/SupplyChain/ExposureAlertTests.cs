using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Updates;
using Rampart.Posture.Evidence;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.SupplyChain;

public sealed class ExposureAlertTests
{
    private static string Vulns => Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns", "cve-json5");

    [Fact]
    public async Task A_newly_exposed_device_gets_one_alert_per_vulnerability_which_is_resolved_once_it_runs_the_fixing_release()
    {
        await using var node = await SupplyChainNode.StartAsync();
        await node.ReleaseAsync("1.0.0", curl: "8.3.0");
        var fixedRelease = await node.ReleaseAsync("1.1.0", curl: "8.4.0");
        await node.DevicesAsync("old", 2, "1.0.0");
        await node.DevicesAsync("new", 1, "1.1.0");
        var service = node.Get<SupplyChainService>();
        var change = await service.ImportAsync(VulnerabilitySet.Load(Vulns), complete: true, "op", CancellationToken.None);
        Assert.Equal(2, change.Exposure!.AlertsOpened);

        var alerts = node.Get<AlertService>();
        foreach (var device in new[] { "old-0", "old-1" })
        {
            var alert = Assert.Single(await alerts.ListAsync(new AlertQuery(DeviceId: device), CancellationToken.None));
            Assert.Equal(("supplychain.exposure/CVE-2023-38545", AlertSeverity.High, AlertState.Open), (alert.Detector, alert.Severity, alert.State));
            Assert.Equal(("curl", fixedRelease.Id), (alert.Evidence["component"], alert.Evidence["fixed-by"]));
            Assert.Contains($"fixed by release {fixedRelease.Id}", alert.Summary, StringComparison.Ordinal);
        }

        Assert.Empty(await alerts.ListAsync(new AlertQuery(DeviceId: "new-0"), CancellationToken.None));

        // Posture's vulnerability check is answered by supply chain: assessable, with the counts.
        var posture = node.Get<IVulnerabilityExposure>();
        Assert.IsType<SupplyChainVulnerabilityExposure>(posture);
        Assert.Equal((true, 0, 1), (posture.ExposureOf("old-0", "1.0.0").Assessable, posture.ExposureOf("old-0", "1.0.0").Critical, posture.ExposureOf("old-0", "1.0.0").High));
        Assert.Equal((true, 0, 0), (posture.ExposureOf("new-0", "1.1.0").Assessable, posture.ExposureOf("new-0", "1.1.0").Critical, posture.ExposureOf("new-0", "1.1.0").High));
        Assert.False(posture.ExposureOf("no-such-device", null).Assessable);

        // Recomputing again raises nothing new: one active alert per device and vulnerability.
        Assert.Equal(0, (await service.RecomputeAsync("op", CancellationToken.None)).AlertsOpened);
        Assert.Single(await alerts.ListAsync(new AlertQuery(DeviceId: "old-0"), CancellationToken.None));

        // old-0 updates to the fixing release: its alert is resolved, old-1's stays open.
        await node.Get<IRolloutStore>().RecordFirmwareAsync("old-0", new ReportedFirmware("1.1.0", 2, DateTimeOffset.UtcNow), CancellationToken.None);
        var after = await service.RecomputeAsync("op", CancellationToken.None);
        Assert.Equal((0, 1), (after.AlertsOpened, after.AlertsResolved));
        Assert.Equal(AlertState.Resolved, Assert.Single(await alerts.ListAsync(new AlertQuery(DeviceId: "old-0"), CancellationToken.None)).State);
        Assert.Equal(AlertState.Open, Assert.Single(await alerts.ListAsync(new AlertQuery(DeviceId: "old-1"), CancellationToken.None)).State);
        Assert.Equal(0, posture.ExposureOf("old-0", "1.1.0").High);
    }

    [Fact]
    public async Task A_device_whose_release_has_no_SBOM_is_not_assessable_for_posture()
    {
        await using var node = await SupplyChainNode.StartAsync();
        await node.DevicesAsync("bare", 1, "9.9.9");
        await node.Get<SupplyChainService>().RecomputeAsync("op", CancellationToken.None);
        var answer = node.Get<IVulnerabilityExposure>().ExposureOf("bare-0", "9.9.9");
        Assert.False(answer.Assessable);
        Assert.Contains("no SBOM describes what the device runs", answer.Source, StringComparison.Ordinal);
    }
}
