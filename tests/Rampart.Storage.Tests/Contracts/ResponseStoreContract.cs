using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Detection.Response;
using Rampart.Fleet.Gateway;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>The response's state (issue 14, migration 0012), the same on every provider: tightened limits and the shared guard rail.</summary>
public abstract class ResponseStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static DeviceLimitOverride Tightened(string device, long alert) =>
        new(device, new LimitOverride(0.5, 3, 4096, 16_384), alert, $"alert {alert}", "detection", Start.AddMinutes(1));

    [Fact]
    public async Task A_tightened_device_reads_back_with_its_limits_keeps_its_first_alert_and_is_restored_once()
    {
        Assert.True(await AuditedAsync(t => Stores.LimitOverrides.TryAddAsync(t, Tightened("d1", 7), CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.LimitOverrides.TryAddAsync(t, Tightened("d1", 8), CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Stores.LimitOverrides.TryAddAsync(t, Tightened("d2", 9), CancellationToken.None)));

        var stored = await Stores.LimitOverrides.ListAsync(CancellationToken.None);
        Assert.Equal([Tightened("d1", 7), Tightened("d2", 9)], stored);

        Assert.True(await AuditedAsync(t => Stores.LimitOverrides.RemoveAsync(t, "d1", CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.LimitOverrides.RemoveAsync(t, "d1", CancellationToken.None)));
        Assert.Equal(["d2"], (await Stores.LimitOverrides.ListAsync(CancellationToken.None)).Select(o => o.DeviceId));
    }

    [Fact]
    public async Task The_guard_rail_counts_per_pool_within_its_period_gives_back_by_alert_and_forgets_what_expired()
    {
        var options = new ResponseOptions { MaxAutomaticContainments = 2, MaxAutomaticContainmentsBySeverity = { [AlertSeverity.Critical] = 1 } };
        var budget = new ContainmentBudget(Stores.ContainmentBudget, Audit, options, Clock);

        Assert.True(await budget.TryTakeAsync(Alert(1, AlertSeverity.High), CancellationToken.None));
        Assert.True(await budget.TryTakeAsync(Alert(2, AlertSeverity.Medium), CancellationToken.None));
        Assert.False(await budget.TryTakeAsync(Alert(3, AlertSeverity.High), CancellationToken.None));
        Assert.True(await budget.TryTakeAsync(Alert(4, AlertSeverity.Critical), CancellationToken.None));
        Assert.False(await budget.TryTakeAsync(Alert(5, AlertSeverity.Critical), CancellationToken.None));

        await budget.ReturnAsync(2, CancellationToken.None);
        Assert.Equal(1, await budget.RemainingAsync(AlertSeverity.Low, CancellationToken.None));
        Assert.True(await budget.TryTakeAsync(Alert(6, AlertSeverity.High), CancellationToken.None));

        Clock.Advance(options.Period);
        Assert.Equal(2, await budget.RemainingAsync(AlertSeverity.High, CancellationToken.None));
        Assert.True(await budget.TryTakeAsync(Alert(7, AlertSeverity.Critical), CancellationToken.None));
        Assert.True((await VerifyAsync()).IsIntact);
    }

    private static Alert Alert(long id, AlertSeverity severity) =>
        new(id, "d" + id, "novelty.listening-port", severity, AlertState.Open, "s", new Dictionary<string, string>(),
            Start, Start, 1, null, null, null, Start, null);
}
