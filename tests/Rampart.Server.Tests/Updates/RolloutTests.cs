using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Server.Updates;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.Updates;

/// <summary>Staged rollouts to simulated fleets running the SDK's update client over real mTLS MQTT and HTTPS.</summary>
public sealed class RolloutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_canary_wave_failing_beyond_the_abort_threshold_stops_the_rollout_and_no_further_device_is_notified()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        for (var i = 0; i < 6; i++)
        {
            await fleet.DeviceAsync($"meter-{i}", "meter", healthy: firmware => firmware.Version != "2.0.0");
        }

        var release = await fleet.ReleaseAsync("meter", "2.0.0", svn: 2);
        var rollouts = fleet.Node.Get<RolloutService>();
        var created = await rollouts.CreateAsync(release.Id, "model=meter", new RolloutPolicy
        {
            CanaryCount = 2, Steps = [50, 100], RatePerMinute = 6000, AbortFailurePercent = 50, MinimumExecuted = 2,
        }, "op", CancellationToken.None);

        var status = await WaitForAsync(rollouts, created.Rollout.Id, s => s.Rollout.State == RolloutState.Aborted);
        Assert.Contains("2 of 2 devices failed", status.Rollout.Reason, StringComparison.Ordinal);
        Assert.Equal(2, status.Counts[RolloutDeviceState.RolledBack]);
        Assert.Equal(4, status.Counts[RolloutDeviceState.Pending]);

        // Several ticks later nobody else has been told, and every device still runs 1.0.0.
        await Task.Delay(1500);
        status = await rollouts.StatusAsync(created.Rollout.Id, CancellationToken.None);
        Assert.Equal(4, status.Counts[RolloutDeviceState.Pending]);
        var told = fleet.Devices.Where(d => !d.ConfigMessages.IsEmpty).Select(d => d.Id).ToArray();
        Assert.Equal(2, told.Length);
        Assert.All(fleet.Devices, d => Assert.Equal("1.0.0", d.Slots.Installed.Version));
        Assert.All(fleet.Devices.Where(d => told.Contains(d.Id)), d => Assert.Equal(["2.0.0"], d.HealthChecks));
        var audit = await fleet.Node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync();
        Assert.Contains(audit, e => e.Action == "rollout.aborted" && e.Target == $"rollout:{created.Rollout.Id}");
        Assert.Equal(2, audit.Count(e => e.Action == "rollout.device-rolled-back"));
        await fleet.Node.EventAsync("rollout.aborted", e => e.Details["rollout"] == created.Rollout.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await fleet.Node.EventAsync("device.update-failed", e => told.Contains(e.DeviceId) && e.Details["outcome"] == "rolled-back");
    }

    [Fact]
    public async Task A_healthy_rollout_completes_wave_by_wave_at_no_more_than_the_configured_rate()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await fleet.DeviceAsync($"cam-{i}", "cam", healthy: _ => true);
        }

        var release = await fleet.ReleaseAsync("cam", "3.1.0", svn: 4);
        var rollouts = fleet.Node.Get<RolloutService>();
        const int ratePerMinute = 60;
        var created = await rollouts.CreateAsync(release.Id, "model=cam", new RolloutPolicy
        {
            CanaryCount = 1, Steps = [100], RatePerMinute = ratePerMinute, MinimumExecuted = 1, AbortFailurePercent = 0,
        }, "op", CancellationToken.None);
        Assert.Equal(2, created.Rollout.WaveCount);

        var status = await WaitForAsync(rollouts, created.Rollout.Id, s => s.Rollout.State == RolloutState.Completed);
        Assert.Equal(4, status.Counts[RolloutDeviceState.Succeeded]);
        Assert.All(fleet.Devices, d => Assert.Equal(("3.1.0", 4L), (d.Slots.Installed.Version, d.Slots.Installed.SecurityVersion)));
        Assert.All(fleet.Devices, d => Assert.NotEqual("a", d.Slots.Active));

        // Notifications were spaced by the rate (one a second), never bunched.
        var notified = (await rollouts.DevicesAsync(created.Rollout.Id, null, null, 100, CancellationToken.None)).Select(d => d.Notified!.Value).Order().ToArray();
        var gaps = notified.Zip(notified.Skip(1), (a, b) => b - a).ToArray();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromSeconds(60.0 / ratePerMinute * 0.8), $"two notifications {gap.TotalMilliseconds} ms apart"));

        // The canary finished (its last move, to succeeded) before anyone of the next wave was told.
        var devices = await rollouts.DevicesAsync(created.Rollout.Id, null, null, 100, CancellationToken.None);
        var canary = devices.Single(d => d.Wave == 0);
        Assert.Equal(RolloutDeviceState.Succeeded, canary.State);
        Assert.All(devices.Where(d => d.Wave == 1), d => Assert.True(d.Notified >= canary.Updated, $"{d.DeviceId} told at {d.Notified:O}, the canary finished at {canary.Updated:O}"));
    }

    [Fact]
    public async Task Rollback_is_refused_on_both_sides_the_server_skips_a_device_above_the_release_and_the_SDK_refuses_a_lower_svn_and_other_boards_are_skipped()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        var ahead = await fleet.DeviceAsync("pump-ahead", "pump", healthy: _ => true, svn: 9);
        await fleet.DeviceAsync("pump-behind", "pump", healthy: _ => true, svn: 1);
        var otherBoard = await fleet.DeviceAsync("pump-rev-a", "pump", healthy: _ => true, svn: 1, hardware: "rev-a");
        var release = await fleet.ReleaseAsync("pump", "1.5.0", svn: 5);
        var firmware = fleet.Node.Get<Rampart.Fleet.Updates.IRolloutStore>();
        await WaitUntilAsync(async () => (await firmware.ReportedFirmwareAsync(null, CancellationToken.None)).Count == 3);

        // Server: the device reporting svn 9 is skipped with the reason, never notified.
        var rollouts = fleet.Node.Get<RolloutService>();
        var created = await rollouts.CreateAsync(release.Id, "model=pump", new RolloutPolicy { CanaryCount = 1, RatePerMinute = 6000, MinimumExecuted = 1 }, "op", CancellationToken.None);
        var skipped = await rollouts.DevicesAsync(created.Rollout.Id, RolloutDeviceState.Skipped, null, 10, CancellationToken.None);
        Assert.Equal(["pump-ahead", "pump-rev-a"], skipped.Select(d => d.DeviceId));
        Assert.Contains("above the release's 5", skipped[0].Detail, StringComparison.Ordinal);
        Assert.Contains("hardware revision rev-a is not one the release supports (rev-b)", skipped[1].Detail, StringComparison.Ordinal);
        await WaitForAsync(rollouts, created.Rollout.Id, s => s.Rollout.State == RolloutState.Completed);
        Assert.Empty(ahead.ConfigMessages);
        Assert.Empty(otherBoard.ConfigMessages);

        // SDK: told directly to install svn 5 over svn 9, the update client refuses after checking signatures.
        await ahead.Updater.UpdateAsync(new FirmwareDirective(999, release.Id, release.Version, release.SecurityVersion, release.ImageTarget, release.ManifestTarget), CancellationToken.None);
        Assert.Contains("below the installed 9 (rollback)", ahead.Updater.LastRefusal, StringComparison.Ordinal);
        Assert.Equal(("1.0.0", 9L), (ahead.Slots.Installed.Version, ahead.Slots.Installed.SecurityVersion));
    }

    [Fact]
    public async Task A_cancelled_rollout_is_withdrawn_so_a_device_that_was_offline_when_told_never_installs_it()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        var offline = await fleet.DeviceAsync("lock-0", "lock", healthy: _ => true, online: false);
        var release = await fleet.ReleaseAsync("lock", "4.0.0", svn: 2);
        var rollouts = fleet.Node.Get<RolloutService>();
        var created = await rollouts.CreateAsync(release.Id, "model=lock", new RolloutPolicy { CanaryCount = 1, RatePerMinute = 6000, MinimumExecuted = 1 }, "op", CancellationToken.None);
        await WaitForAsync(rollouts, created.Rollout.Id, s => s.Counts[RolloutDeviceState.Notified] == 1);

        await rollouts.CancelAsync(created.Rollout.Id, "op", CancellationToken.None);
        var device = Assert.Single(await rollouts.DevicesAsync(created.Rollout.Id, null, null, 10, CancellationToken.None));
        Assert.Equal(RolloutDeviceState.Failed, device.State);
        Assert.StartsWith("withdrawn before it started", device.Detail, StringComparison.Ordinal);

        // The device comes online: the retained config is the withdrawal, not the directive.
        await offline.StartAsync();
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (offline.ConfigMessages.IsEmpty)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the device never received its config");
            await Task.Delay(100);
        }

        await Task.Delay(1000);
        await offline.Updater.IdleAsync();
        Assert.Equal(("1.0.0", "a"), (offline.Slots.Installed.Version, offline.Slots.Active));
        Assert.Empty(offline.HealthChecks);
    }

    [Fact]
    public async Task After_a_node_restart_a_device_told_before_it_gets_its_directive_again_and_the_rollout_completes()
    {
        var (https, mqtt) = (FreePort(), FreePort());
        await using var fleet = await UpdateFleet.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Https"] = $"127.0.0.1:{https}", ["Rampart:Mqtt"] = $"127.0.0.1:{mqtt}",
        });
        var offline = await fleet.DeviceAsync("door-0", "door", healthy: _ => true, online: false);
        var release = await fleet.ReleaseAsync("door", "1.2.0", svn: 2);
        var created = await fleet.Node.Get<RolloutService>().CreateAsync(release.Id, "model=door",
            new RolloutPolicy { CanaryCount = 1, RatePerMinute = 6000, MinimumExecuted = 1 }, "op", CancellationToken.None);
        await WaitForAsync(fleet.Node.Get<RolloutService>(), created.Rollout.Id, s => s.Counts[RolloutDeviceState.Notified] == 1);

        // The retained directive lived in the broker's memory; the restarted engine publishes it again.
        await fleet.Node.RestartAsync();
        await offline.StartAsync();

        var status = await WaitForAsync(fleet.Node.Get<RolloutService>(), created.Rollout.Id, s => s.Rollout.State == RolloutState.Completed);
        Assert.Equal(1, status.Counts[RolloutDeviceState.Succeeded]);
        Assert.Equal("1.2.0", offline.Slots.Installed.Version);
    }

    [Fact]
    public async Task A_staged_release_cannot_be_rolled_out_and_promotion_needs_a_second_person()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        await fleet.DeviceAsync("valve-0", "valve", healthy: _ => true);
        var release = await fleet.ReleaseAsync("valve", "1.1.0", svn: 1, promote: false);
        var rollouts = fleet.Node.Get<RolloutService>();

        var staged = await Assert.ThrowsAsync<FleetException>(() => rollouts.CreateAsync(release.Id, "model=valve", new RolloutPolicy(), "op", CancellationToken.None));
        Assert.Contains("needs approval", staged.Message, StringComparison.Ordinal);

        var approvals = fleet.Node.Get<Rampart.Fleet.Approvals.ApprovalService>();
        var request = await approvals.RequestAsync("releases.promote", release.Id, "promote", UpdateFleet.SecurityOfficerA, CancellationToken.None);
        var self = await Assert.ThrowsAsync<FleetException>(() => approvals.ApproveAsync(request.Id, UpdateFleet.SecurityOfficerA, CancellationToken.None));
        Assert.Equal(FleetErrorKind.Forbidden, self.Kind);
        await approvals.ApproveAsync(request.Id, UpdateFleet.SecurityOfficerB, CancellationToken.None);
        var created = await rollouts.CreateAsync(release.Id, "model=valve", new RolloutPolicy { CanaryCount = 1, RatePerMinute = 6000, MinimumExecuted = 1 }, "op", CancellationToken.None);
        Assert.Equal(RolloutState.Running, created.Rollout.State);
    }

    private static async Task<RolloutStatus> WaitForAsync(RolloutService rollouts, long id, Func<RolloutStatus, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var status = await rollouts.StatusAsync(id, CancellationToken.None);
            if (done(status))
            {
                return status;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"rollout {id} is {status.Rollout.State}: {string.Join(", ", status.Counts.ByState.Select(p => $"{p.Key}={p.Value}"))}");
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(100);
        }
    }
}
