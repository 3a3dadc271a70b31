using Rampart.Fleet.Audit;
using Rampart.Fleet.Tests.Audit;
using Rampart.Storage.Updates;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Fleet.Tests.Updates;

/// <summary>
/// Release and rollout writes run inside the audit writer's transaction (issue 13): a work that fails
/// after writing leaves no release, promotion, rollout, plan row, state or wave; one that stands has
/// them with its entries.
/// </summary>
public sealed class AuditedUpdateStoreTests
{
    [Fact]
    public async Task Release_and_rollout_writes_of_a_work_that_throws_leave_no_trace()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var releases = new SqliteReleaseStore(log.Database);
        var rollouts = new SqliteRolloutStore(log.Database);
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync<bool>(async (transaction, token) =>
        {
            await releases.TryAddAsync(transaction, Staged("meter-1.0.0"), token);
            await releases.TryPromoteAsync(transaction, "meter-1.0.0", "a+b", token);
            await rollouts.CreateAsync(transaction, Planned("meter-1.0.0"), Devices(3), token);
            throw new InvalidOperationException("the node died here");
        }));
        await writer.StopAsync();

        Assert.Null(await releases.GetAsync("meter-1.0.0", CancellationToken.None));
        Assert.Empty(await rollouts.ListAsync(null, 10, CancellationToken.None));
        Assert.Null(await log.Store.GetLastEntryAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_committed_work_keeps_release_promotion_rollout_state_and_wave_with_its_entries_and_refuses_moves_from_the_wrong_state()
    {
        await using var log = await AuditTestLog.CreateAsync();
        var releases = new SqliteReleaseStore(log.Database);
        var rollouts = new SqliteRolloutStore(log.Database);
        var writer = log.NewWriter();
        await writer.StartAsync(CancellationToken.None);

        var id = (await writer.CommitAsync(async (transaction, token) =>
        {
            await releases.TryAddAsync(transaction, Staged("meter-1.0.0"), token);
            var promoted = await releases.TryPromoteAsync(transaction, "meter-1.0.0", "a+b", token);
            var again = await releases.TryPromoteAsync(transaction, "meter-1.0.0", "a+b", token);
            var rollout = await rollouts.CreateAsync(transaction, Planned("meter-1.0.0"), Devices(3), token);
            var paused = await rollouts.TrySetStateAsync(transaction, rollout, [RolloutState.Running], RolloutState.Paused, "paused by test", token);
            var waveWhilePaused = await rollouts.TryOpenWaveAsync(transaction, rollout, 1, token);
            var resumed = await rollouts.TrySetStateAsync(transaction, rollout, [RolloutState.Paused], RolloutState.Running, null, token);
            var wave = await rollouts.TryOpenWaveAsync(transaction, rollout, 1, token);
            var sameWave = await rollouts.TryOpenWaveAsync(transaction, rollout, 1, token);
            Assert.Equal((true, false, true, false, true, true, false), (promoted, again, paused, waveWhilePaused, resumed, wave, sameWave));
            var moved = await rollouts.TryMoveDeviceAsync(transaction, rollout, "d0", [RolloutDeviceState.Pending], RolloutDeviceState.Failed, "timed out", token);
            Assert.True(moved);
            return AuditedOutcome<long>.Done(rollout, [new AuditRecord("test", "rollout.created", $"rollout:{rollout}", AuditOutcome.Success)], []);
        })).Value;
        await writer.StopAsync();

        var rollout = await rollouts.GetAsync(id, CancellationToken.None);
        Assert.Equal(ReleaseStatus.Production, (await releases.GetAsync("meter-1.0.0", CancellationToken.None))!.Status);
        Assert.Equal((RolloutState.Running, 1), (rollout!.State, rollout.CurrentWave));
        Assert.Equal(RolloutDeviceState.Failed, (await rollouts.DeviceAsync(id, "d0", CancellationToken.None))!.State);
        Assert.Equal(3, (await rollouts.CountAsync(id, null, CancellationToken.None)).Total);
        Assert.Equal($"rollout:{id}", (await log.Store.GetLastEntryAsync(CancellationToken.None))!.Target);
    }

    private static Release Staged(string id) =>
        new(id, "meter", "1.0.0", 1, [], id + ".bin", id + ".manifest.json", new string('0', 64), 1, null, ReleaseStatus.Staged, "test", DateTimeOffset.UnixEpoch, null, null);

    private static Rollout Planned(string release) =>
        new(0, release, "model=meter", new RolloutPolicy(), RolloutState.Running, null, 0, 2, "test", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static RolloutDevice[] Devices(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new RolloutDevice($"d{i}", i % 2, RolloutDeviceState.Pending, null, null, DateTimeOffset.UnixEpoch))];
}
