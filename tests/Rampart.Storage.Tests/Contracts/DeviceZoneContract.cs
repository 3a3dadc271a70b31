using Rampart.Fleet.Inventory;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Moving a device between inventory zones (issue 18), the same on every provider: the zone only, never a retired device.</summary>
public abstract class DeviceZoneContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_device_moves_to_another_zone_with_its_state_time_untouched_and_a_retired_or_unknown_one_does_not()
    {
        await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice("m-1", "berlin", "plant"), CancellationToken.None));
        await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice("m-2", "berlin", "plant"), CancellationToken.None));
        await AuditedAsync(transaction => Stores.Devices.TryChangeStateAsync(transaction, "m-2", [DeviceState.Registered], DeviceState.Retired, Start.AddHours(1), CancellationToken.None));
        var before = await Stores.Devices.GetAsync("m-1", CancellationToken.None);

        Assert.True(await AuditedAsync(transaction => Stores.Devices.SetZoneAsync(transaction, "m-1", "ot", CancellationToken.None)));
        Assert.False(await AuditedAsync(transaction => Stores.Devices.SetZoneAsync(transaction, "m-2", "ot", CancellationToken.None)));
        Assert.False(await AuditedAsync(transaction => Stores.Devices.SetZoneAsync(transaction, "nobody", "ot", CancellationToken.None)));

        var moved = await Stores.Devices.GetAsync("m-1", CancellationToken.None);
        Assert.Equal(before! with { Zone = "ot" }, moved! with { Tags = before.Tags });
        Assert.Equal("plant", (await Stores.Devices.GetAsync("m-2", CancellationToken.None))!.Zone);
        Assert.Equal(["m-1"], (await Stores.Devices.ListAsync(new DeviceQuery(Zones: ["ot"]), CancellationToken.None)).Select(d => d.Id));
    }
}

public sealed class SqliteDeviceZoneTests : DeviceZoneContract<SqliteProvider>;

public sealed class PostgresDeviceZoneTests : DeviceZoneContract<PostgresProvider>;
