using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Posture.Risk;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>
/// The web console's store queries (issue 22, migration 0035), the same on every provider: the device list by model,
/// tag and risk band in id order, each device's stored risk, the latest posture snapshot, and pending invitations.
/// </summary>
public abstract class ConsoleQueryContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task The_device_list_filters_by_model_by_tag_and_by_the_stored_risk_band_in_id_order()
    {
        Rampart.Fleet.Inventory.Device Make(string id, string model, params string[] tags) => new(id, model, "acme", null, null, "s", "z", tags, DeviceState.Active, null, Start, Start);
        foreach (var device in new[] { Make("d-3", "cam", "roof", "ip"), Make("d-1", "cam", "ip"), Make("d-2", "meter", "roof"), Make("d-4", "meter"), Make("d-5", "cam", "roof", "roof") })
        {
            await AuditedAsync(t => Stores.Devices.TryAddAsync(t, device, CancellationToken.None));
        }

        await AuditedAsync(async t =>
        {
            await Stores.FleetAudits.ReplaceDeviceRisksAsync(t, [Risk("d-1", 80), Risk("d-2", 10), Risk("d-3", 90), Risk("gone", 99)], Start, CancellationToken.None);
            return true;
        });
        // A later run replaces every stored risk: d-1 drops to medium, d-4 is scored, the rest keep theirs only if scored again.
        await AuditedAsync(async t =>
        {
            await Stores.FleetAudits.ReplaceDeviceRisksAsync(t, [Risk("d-1", 30), Risk("d-3", 90), Risk("d-4", 95), Risk("d-5", 5)], Start.AddDays(1), CancellationToken.None);
            return true;
        });

        Assert.Equal(["d-1", "d-3", "d-5"], await IdsAsync(new DeviceQuery(Model: "cam")));
        Assert.Equal(["d-2", "d-3", "d-5"], await IdsAsync(new DeviceQuery(Tag: "roof")));
        Assert.Equal(["d-3", "d-5"], await IdsAsync(new DeviceQuery(Model: "cam", Tag: "roof")));
        Assert.Equal(["d-5"], await IdsAsync(new DeviceQuery(After: "d-3", Tag: "roof")));
        Assert.Equal(["d-3"], await IdsAsync(new DeviceQuery(Tag: "roof", Limit: 1, Model: "cam")));
        Assert.Equal(["d-3", "d-4"], await IdsAsync(new DeviceQuery(Risk: "critical")));
        Assert.Equal(["d-4"], await IdsAsync(new DeviceQuery(Risk: "critical", Tag: null, Model: "meter")));
        Assert.Equal(["d-1"], await IdsAsync(new DeviceQuery(Risk: "medium", Tag: "ip")));
        Assert.Empty(await IdsAsync(new DeviceQuery(Risk: "high")));
        Assert.Empty(await IdsAsync(new DeviceQuery(Tag: "nobody")));

        var risks = await Stores.FleetAudits.DeviceRisksAsync(["d-5", "d-1", "d-2", "unknown"], CancellationToken.None);
        Assert.Equal([("d-1", "medium", 30), ("d-5", "low", 5)], risks.Select(r => (r.DeviceId, r.Band, r.Score)));
        Assert.All(risks, r => Assert.Equal(Start.AddDays(1), r.Assessed));
    }

    [Fact]
    public async Task The_latest_posture_snapshot_is_the_newest_one_stored_and_none_before_the_first_run()
    {
        Assert.Null(await Stores.FleetAudits.LatestSnapshotAsync(CancellationToken.None));
        foreach (var (at, mean) in new[] { (Start.AddDays(2), 40.5), (Start, 10.0), (Start.AddDays(1), 20.0) })
        {
            var snapshot = new PostureSnapshot(at, 3, mean, new Dictionary<string, int> { ["low"] = 3 }, new Dictionary<string, double> { ["en-303-645"] = 0.5 }, 1);
            await AuditedAsync(async t =>
            {
                await Stores.FleetAudits.AddSnapshotAsync(t, snapshot, CancellationToken.None);
                return true;
            });
        }

        var latest = await Stores.FleetAudits.LatestSnapshotAsync(CancellationToken.None);
        Assert.Equal((Start.AddDays(2), 40.5), (latest!.At, latest.MeanRisk));
    }

    [Fact]
    public async Task Pending_invitations_are_listed_soonest_to_expire_first_and_a_revoked_one_cannot_be_found_or_revoked_again()
    {
        Invitation Make(string user, DateTimeOffset expires) => new(0, System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(user)), user, "viewer",
            ["s1"], [], "admin", expires);
        foreach (var invitation in new[] { Make("late", Start.AddDays(3)), Make("soon", Start.AddDays(1)), Make("expired", Start.AddMinutes(-1)), Make("used", Start.AddDays(2)) })
        {
            await AuditedAsync(async t =>
            {
                await Stores.Users.AddInvitationAsync(t, invitation, CancellationToken.None);
                return true;
            });
        }

        var used = await Stores.Users.FindInvitationAsync(Make("used", Start).TokenHash, Start, CancellationToken.None);
        Assert.True(await AuditedAsync(t => Stores.Users.UseInvitationAsync(t, used!.Id, Start, CancellationToken.None)));

        var pending = await Stores.Users.PendingInvitationsAsync(Start, 10, CancellationToken.None);
        Assert.Equal(["soon", "late"], pending.Select(i => i.UserName));
        Assert.Equal(["s1"], pending[0].Sites);
        Assert.Equal(["soon"], (await Stores.Users.PendingInvitationsAsync(Start, 1, CancellationToken.None)).Select(i => i.UserName));

        var revoked = await AuditedAsync(t => Stores.Users.RevokeInvitationAsync(t, pending[0].Id, Start, CancellationToken.None));
        Assert.Equal("soon", revoked!.UserName);
        Assert.Null(await AuditedAsync(t => Stores.Users.RevokeInvitationAsync(t, pending[0].Id, Start, CancellationToken.None)));
        Assert.Null(await AuditedAsync(t => Stores.Users.RevokeInvitationAsync(t, used!.Id, Start, CancellationToken.None)));
        Assert.Null(await Stores.Users.FindInvitationAsync(Make("soon", Start).TokenHash, Start, CancellationToken.None));
        Assert.Equal(["late"], (await Stores.Users.PendingInvitationsAsync(Start, 10, CancellationToken.None)).Select(i => i.UserName));
    }

    [Fact]
    public async Task A_device_s_update_history_lists_the_rollouts_that_planned_it_newest_first_with_its_result()
    {
        var release = new Release(Release.IdOf("m1", "2.0.0"), "m1", "2.0.0", 3, ["hw-a"], "m1/image", "m1/manifest", "ab", 1024, null, ReleaseStatus.Staged, "bob", Start, null, null);
        await AuditedAsync(t => Stores.Releases.TryAddAsync(t, release, CancellationToken.None));
        var ids = new List<long>();
        foreach (var (state, detail) in new[] { (RolloutDeviceState.Failed, "health check failed"), (RolloutDeviceState.Succeeded, (string?)null) })
        {
            var rollout = new Rollout(0, release.Id, "model=m1", new RolloutPolicy(), RolloutState.Running, null, 0, 2, "carol", Start, Start);
            RolloutDevice[] plan = [new("d-1", 1, state, detail, Start, Start), new("d-2", 0, RolloutDeviceState.Pending, null, null, Start)];
            ids.Add(await AuditedAsync(t => Stores.Rollouts.CreateAsync(t, rollout, plan, CancellationToken.None)));
        }

        var history = await Stores.Rollouts.DeviceRolloutsAsync("d-1", 10, CancellationToken.None);
        Assert.Equal([ids[1], ids[0]], history.Select(h => h.Rollout.Id));
        Assert.Equal([(RolloutDeviceState.Succeeded, (string?)null, 1), (RolloutDeviceState.Failed, "health check failed", 1)], history.Select(h => (h.Device.State, h.Device.Detail, h.Device.Wave)));
        Assert.All(history, h => Assert.Equal(("d-1", release.Id), (h.Device.DeviceId, h.Rollout.ReleaseId)));
        Assert.Single(await Stores.Rollouts.DeviceRolloutsAsync("d-1", 1, CancellationToken.None));
        Assert.Empty(await Stores.Rollouts.DeviceRolloutsAsync("nobody", 10, CancellationToken.None));
    }

    private static RiskScore Risk(string device, int score) => new(device, score, RiskScore.BandOf(score), new Dictionary<string, int>());

    private async Task<string[]> IdsAsync(DeviceQuery query) => [.. (await Stores.Devices.ListAsync(query, CancellationToken.None)).Select(d => d.Id)];
}

public sealed class SqliteConsoleQueryTests : ConsoleQueryContract<SqliteProvider>;

public sealed class PostgresConsoleQueryTests : ConsoleQueryContract<PostgresProvider>;
