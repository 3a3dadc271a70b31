using Rampart.Detection.Tests.Alerts;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Storage.Inventory;

namespace Rampart.Detection.Tests.Hardening;

/// <summary>A real inventory (the migrated SQLite store, devices added through the audit log) for what detection reads from it.</summary>
internal sealed class Inventory : IAsyncDisposable
{
    private Inventory(AlertHarness harness)
    {
        Harness = harness;
        Devices = new SqliteDeviceStore(harness.Database);
    }

    public AlertHarness Harness { get; }

    public SqliteDeviceStore Devices { get; }

    public static async Task<Inventory> StartAsync() => new(await AlertHarness.StartAsync());

    public async Task AddAsync(string id, string? model, string? firmwareVersion)
    {
        var now = Harness.Clock.GetUtcNow();
        var device = new Rampart.Fleet.Inventory.Device(id, model, null, null, firmwareVersion, null, null, [], DeviceState.Active, null, now, now);
        await Harness.Audit.CommitAsync(async (transaction, cancellationToken) =>
            AuditedOutcome<bool>.Done(await Devices.TryAddAsync(transaction, device, cancellationToken), new AuditRecord("test", "device.registered", $"device/{id}", AuditOutcome.Success, new Dictionary<string, string>())));
    }

    public ValueTask DisposeAsync() => Harness.DisposeAsync();
}
