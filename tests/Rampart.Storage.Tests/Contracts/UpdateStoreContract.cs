using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Releases, rollouts and reported firmware, the same on every provider.</summary>
public abstract class UpdateStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_release_is_added_once_and_promoted_once()
    {
        var release = NewRelease("1.0.0");
        Assert.True(await AuditedAsync(t => Stores.Releases.TryAddAsync(t, release, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Releases.TryAddAsync(t, release with { Id = "other-id" }, CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Stores.Releases.TryPromoteAsync(t, release.Id, "carol", CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Releases.TryPromoteAsync(t, release.Id, "dave", CancellationToken.None)));

        var stored = await Stores.Releases.GetAsync(release.Id, CancellationToken.None);
        Assert.Equal((ReleaseStatus.Production, "carol"), (stored!.Status, stored.PromotedBy));
        Assert.Equal(["hw-a", "hw-b"], stored.Hardware);
        Assert.Equal([release.Id], (await Stores.Releases.ListAsync(10, CancellationToken.None)).Select(r => r.Id));
    }

    [Fact]
    public async Task A_rollout_keeps_its_plan_order_counts_waves_and_moves_each_device_only_from_the_named_states()
    {
        var release = NewRelease("2.0.0");
        await AuditedAsync(t => Stores.Releases.TryAddAsync(t, release, CancellationToken.None));
        var devices = Enumerable.Range(0, 500)
            .Select(i => new RolloutDevice($"d{(i * 7919) % 500:D3}", i < 5 ? 0 : 1, RolloutDeviceState.Pending, i == 3 ? "note" : null, null, Start))
            .ToArray();
        var rollout = new Rollout(0, release.Id, "model=m1", new RolloutPolicy(), RolloutState.Running, null, 0, 2, "carol", Start, Start);
        var id = await AuditedAsync(t => Stores.Rollouts.CreateAsync(t, rollout, devices, CancellationToken.None));

        Assert.Equal(devices.Take(5).Select(d => d.DeviceId), await Stores.Rollouts.PendingAsync(id, 0, 10, CancellationToken.None));
        Assert.Equal(devices.Take(8).Select(d => d.DeviceId), await Stores.Rollouts.PendingAsync(id, 1, 8, CancellationToken.None));
        Assert.Equal(5, (await Stores.Rollouts.CountAsync(id, 0, CancellationToken.None))[RolloutDeviceState.Pending]);
        Assert.Equal(500, (await Stores.Rollouts.CountAsync(id, null, CancellationToken.None)).Total);
        Assert.Equal("note", (await Stores.Rollouts.DeviceAsync(id, devices[3].DeviceId, CancellationToken.None))!.Detail);

        var first = devices[0].DeviceId;
        Assert.True(await Stores.Rollouts.TryMoveDeviceAsync(id, first, [RolloutDeviceState.Pending], RolloutDeviceState.Notified, null, Start.AddMinutes(1), CancellationToken.None));
        Assert.False(await Stores.Rollouts.TryMoveDeviceAsync(id, first, [RolloutDeviceState.Pending], RolloutDeviceState.Notified, null, Start.AddMinutes(2), CancellationToken.None));
        Assert.Equal([first], await Stores.Rollouts.OverdueAsync(id, Start.AddMinutes(5), 10, CancellationToken.None));
        Assert.Contains(first, await Stores.Rollouts.BusyDevicesAsync(CancellationToken.None));
        Assert.True(await AuditedAsync(t => Stores.Rollouts.TryMoveDeviceAsync(t, id, first,
            [RolloutDeviceState.Notified, RolloutDeviceState.Installing], RolloutDeviceState.RolledBack, "boot failed", CancellationToken.None)));
        Assert.Equal(1, (await Stores.Rollouts.CountAsync(id, 0, CancellationToken.None)).Failures);
        Assert.Equal([first], (await Stores.Rollouts.DevicesAsync(id, RolloutDeviceState.RolledBack, null, 10, CancellationToken.None)).Select(d => d.DeviceId));
        Assert.Equal(["d000", "d001", "d002"], (await Stores.Rollouts.DevicesAsync(id, null, null, 3, CancellationToken.None)).Select(d => d.DeviceId));
        Assert.Equal(["d498", "d499"], (await Stores.Rollouts.DevicesAsync(id, null, "d497", 3, CancellationToken.None)).Select(d => d.DeviceId));

        Assert.True(await AuditedAsync(t => Stores.Rollouts.TryOpenWaveAsync(t, id, 1, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Rollouts.TryOpenWaveAsync(t, id, 1, CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Stores.Rollouts.TrySetStateAsync(t, id, [RolloutState.Running], RolloutState.Paused, "operator", CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Rollouts.TrySetStateAsync(t, id, [RolloutState.Running], RolloutState.Completed, null, CancellationToken.None)));
        var stored = await Stores.Rollouts.GetAsync(id, CancellationToken.None);
        Assert.Equal((RolloutState.Paused, "operator", 1), (stored!.State, stored.Reason, stored.CurrentWave));
        Assert.Equal([id], (await Stores.Rollouts.ListAsync([RolloutState.Paused], 10, CancellationToken.None)).Select(r => r.Id));
        Assert.Empty(await Stores.Rollouts.ListAsync([RolloutState.Running], 10, CancellationToken.None));
    }

    [Fact]
    public async Task Reported_firmware_is_replaced_per_device_and_read_for_all_or_some()
    {
        await Stores.Rollouts.RecordFirmwareAsync("d1", new ReportedFirmware("1.0", 1, Start), CancellationToken.None);
        await Stores.Rollouts.RecordFirmwareAsync("d1", new ReportedFirmware("1.1", 2, Start.AddHours(1)), CancellationToken.None);
        await Stores.Rollouts.RecordFirmwareAsync("d2", new ReportedFirmware("0.9", 1, Start), CancellationToken.None);

        var all = await Stores.Rollouts.ReportedFirmwareAsync(null, CancellationToken.None);
        Assert.Equal(new ReportedFirmware("1.1", 2, Start.AddHours(1)), all["d1"]);
        Assert.Equal(2, all.Count);
        Assert.Equal(["d2"], (await Stores.Rollouts.ReportedFirmwareAsync(["d2", "d3"], CancellationToken.None)).Keys);
    }

    private static Release NewRelease(string version) =>
        new(Rampart.Updates.Releases.Release.IdOf("m1", version), "m1", version, 3, ["hw-a", "hw-b"], "m1/image", "m1/manifest", "ab", 1024, null, ReleaseStatus.Staged, "bob", Start, null, null);
}
