using System.Security.Cryptography;
using Microsoft.Playwright;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Updates;
using Rampart.Server.Updates;
using Rampart.Updates.Rollouts;

namespace Rampart.Console.Tests;

/// <summary>
/// A rollout on the releases page: progress per wave, failed devices with their reasons, and pause, resume and cancel
/// through the page's buttons (the API's calls), checked in the store and the audit log.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class RolloutControlTests(ConsoleFixture fixture)
{
    private const string HostileReason = "health check failed: <script>alert(1)</script>\"><img src=x onerror=alert(2)>";

    [Fact]
    public async Task An_operator_pauses_resumes_and_cancels_a_rollout_from_the_releases_page_that_shows_each_wave_and_why_devices_failed()
    {
        var (id, prefix) = await SeedRolloutAsync();
        var operatorAccount = await fixture.OperatorAsync("operator");
        await using var session = await fixture.SignInAsync(operatorAccount);
        var page = session.Page;
        await session.GoAsync("/releases");
        var card = page.Locator($"[id='rollout-{id}']");
        var state = card.Locator(".rollout-state");

        // The canary wave finished (two succeeded, one failed with the device's own reason, shown as text).
        await Assertions.Expect(card.Locator("ol.waves li").First).ToContainTextAsync("3 of 3 finished");
        await Assertions.Expect(card.Locator("ol.waves li").First).ToContainTextAsync("failed 1");
        await Assertions.Expect(card.Locator("ol.waves li")).ToHaveCountAsync(2);
        await Assertions.Expect(card.GetByRole(AriaRole.Listitem).Filter(new() { HasText = prefix + "-2" })).ToHaveTextAsync($"{prefix}-2: {HostileReason}");
        Assert.Equal(0, await page.Locator("img[src='x']").CountAsync());
        await session.ScreenshotAsync("rollout");

        await card.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Assertions.Expect(state).ToHaveTextAsync("paused");
        Assert.Equal(RolloutState.Paused, await StateAsync(id));

        await card.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Assertions.Expect(state).ToHaveTextAsync("running");
        Assert.Equal(RolloutState.Running, await StateAsync(id));

        await card.GetByRole(AriaRole.Button, new() { Name = "Cancel rollout" }).ClickAsync();
        await page.Locator($"[id='cancel-{id}']").GetByRole(AriaRole.Button, new() { Name = "Cancel rollout" }).ClickAsync();
        await Assertions.Expect(state).ToHaveTextAsync("cancelled");
        Assert.Equal(RolloutState.Cancelled, await StateAsync(id));
        await Assertions.Expect(card.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        var entries = await fixture.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).Where(e => e.Target == $"rollout:{id}").ToListAsync();
        // After the seed's creation (and the engine's opening of wave 2), each button's call is audited under the operator's name.
        var decided = entries.Where(e => e.Action is not ("rollout.created" or "rollout.wave-started")).ToArray();
        Assert.Equal(["rollout.paused", "rollout.resumed", "rollout.cancelled"], decided.Select(e => e.Action));
        Assert.All(decided, e => Assert.Equal(operatorAccount.Name, e.Actor));

        // The failed device's page carries the rollout in its update history, with the reason.
        await session.GoAsync($"/devices/{prefix}-2");
        var update = page.Locator("#updates tbody tr").First;
        await Assertions.Expect(update).ToContainTextAsync($"#{id} (cancelled)");
        await Assertions.Expect(update.Locator(".update-result")).ToHaveTextAsync("failed");
        await Assertions.Expect(update).ToContainTextAsync(HostileReason);
        session.AssertClean();
    }

    [Fact]
    public async Task A_viewer_sees_a_rollout_without_its_buttons_and_gets_403_forcing_a_pause()
    {
        var (id, _) = await SeedRolloutAsync();
        var viewer = await fixture.OperatorAsync("viewer");
        await using var session = await fixture.SignInAsync(viewer);
        await session.GoAsync("/releases");
        var card = session.Page.Locator($"[id='rollout-{id}']");

        await Assertions.Expect(card.Locator(".rollout-state")).ToHaveTextAsync("running");
        Assert.Equal(0, await card.GetByRole(AriaRole.Button).CountAsync());
        Assert.Equal(403, await session.FetchStatusAsync($"/api/v1/rollouts/{id}/pause"));
        Assert.Equal(RolloutState.Running, await StateAsync(id));
        session.AssertClean();
    }

    // A rollout as the node stores it after planning (RolloutService.CreateAsync), with a finished canary wave: a
    // production release needs the offline TUF targets key, whose ceremony the update tests cover. The node's engine
    // goes on with it as with any running rollout (opens the next wave, notifies at one device a minute).
    private async Task<(long Id, string Prefix)> SeedRolloutAsync()
    {
        var (sha, _) = await fixture.Get<ReleaseUploads>().StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(2048)), CancellationToken.None);
        var model = "ro" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var release = await fixture.Get<ReleaseService>().AddAsync(new NewRelease(model, "2.0.0", 2, ["rev-a"], sha, null), "release-engineer", CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var policy = new RolloutPolicy { CanaryCount = 3, Steps = [100], RatePerMinute = 1, AbortFailurePercent = 50, MinimumExecuted = 5 };
        var rollout = new Rollout(0, release.Id, "model=" + model, policy, RolloutState.Running, null, 0, 2, "operator", now, now);
        var prefix = model + "-dev";
        RolloutDevice Planned(int i, RolloutDeviceState state, string? detail) => new($"{prefix}-{i}", i < 3 ? 0 : 1, state, detail, i < 3 ? now : null, now);
        RolloutDevice[] devices =
        [
            Planned(0, RolloutDeviceState.Succeeded, null), Planned(1, RolloutDeviceState.Succeeded, null), Planned(2, RolloutDeviceState.Failed, HostileReason),
            Planned(3, RolloutDeviceState.Pending, null), Planned(4, RolloutDeviceState.Pending, null), Planned(5, RolloutDeviceState.Pending, null),
        ];
        foreach (var device in devices)
        {
            await fixture.Get<InventoryService>().AddAsync(new NewDevice(device.DeviceId, Model: model), "test", CancellationToken.None);
        }

        var store = fixture.Get<IRolloutStore>();
        var seeded = await fixture.Get<IAuditLog>().CommitAsync(async (transaction, token) =>
        {
            var created = await store.CreateAsync(transaction, rollout, devices, token);
            return AuditedOutcome<long>.Done(created, new AuditRecord("test", "rollout.created", $"rollout:{created}", AuditOutcome.Success));
        }, CancellationToken.None);
        return (seeded.Value, prefix);
    }

    private async Task<RolloutState> StateAsync(long id) => (await fixture.Get<IRolloutStore>().GetAsync(id, CancellationToken.None))!.State;
}
