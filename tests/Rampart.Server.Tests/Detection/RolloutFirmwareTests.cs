using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Server.Tests.Updates;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.Detection;

/// <summary>A rollout's successful update sets the inventory's firmware version: what detection and the quarantine release check trust.</summary>
public sealed class RolloutFirmwareTests
{
    [Fact]
    public async Task A_device_whose_update_succeeds_has_the_offered_release_as_its_firmware_version_and_a_failed_one_keeps_none()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        await fleet.DeviceAsync("valve-ok", "valve", healthy: _ => true);
        await fleet.DeviceAsync("valve-bad", "valve", healthy: firmware => firmware.Version != "4.2.0");
        var release = await fleet.ReleaseAsync("valve", "4.2.0", svn: 3);
        var inventory = fleet.Node.Get<InventoryService>();
        Assert.Null((await inventory.GetAsync("valve-ok", CancellationToken.None)).FirmwareVersion);

        var rollouts = fleet.Node.Get<RolloutService>();
        var created = await rollouts.CreateAsync(release.Id, "model=valve", new RolloutPolicy { CanaryCount = 2, RatePerMinute = 6000, MinimumExecuted = 1, AbortFailurePercent = 100 },
            "op", CancellationToken.None);
        await Eventually.HoldsAsync(async () =>
        {
            var status = await rollouts.StatusAsync(created.Rollout.Id, CancellationToken.None);
            return status.Counts[RolloutDeviceState.Succeeded] + status.Counts[RolloutDeviceState.RolledBack] + status.Counts[RolloutDeviceState.Failed] == 2;
        }, "both devices finish");

        Assert.Equal("4.2.0", (await inventory.GetAsync("valve-ok", CancellationToken.None)).FirmwareVersion);
        Assert.Null((await inventory.GetAsync("valve-bad", CancellationToken.None)).FirmwareVersion);
        var entries = await fleet.Node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync();
        var succeeded = Assert.Single(entries, e => e.Action == "rollout.device-succeeded");
        Assert.Contains("\"firmware-version\":\"4.2.0\"", succeeded.Details, StringComparison.Ordinal);
    }
}
