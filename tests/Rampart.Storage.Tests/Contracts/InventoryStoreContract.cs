using Rampart.Fleet.Inventory;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>The inventory, the same on every provider: byte-wise id order, filters, guarded state changes.</summary>
public abstract class InventoryStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_device_is_added_once_and_read_back_whole()
    {
        var device = AuditChainContract<TProvider>.NewDevice("d-1", "berlin", "z1") with { Tags = ["a", "b"], SupportUntil = new DateOnly(2030, 1, 31) };

        Assert.True(await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, device, CancellationToken.None)));
        Assert.False(await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, device with { Model = "other" }, CancellationToken.None)));

        var stored = await Stores.Devices.GetAsync("d-1", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(device with { Tags = [] }, stored with { Tags = [] });
        Assert.Equal(["a", "b"], stored.Tags);
    }

    [Fact]
    public async Task Listing_pages_in_byte_order_and_filters_by_state_site_and_zone()
    {
        foreach (var (id, site, zone) in new[] { ("b", "s1", "z1"), ("B", "s2", "z1"), ("a", "s1", "z2"), ("_x", "s3", "z3") })
        {
            await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice(id, site, zone), CancellationToken.None));
        }

        await AuditedAsync(transaction => Stores.Devices.TryChangeStateAsync(transaction, "a", [DeviceState.Registered], DeviceState.Active, Start, CancellationToken.None));

        // Ordinal: upper case before '_' before lower case, whatever the database's locale.
        Assert.Equal(["B", "_x", "a", "b"], (await Stores.Devices.ListAsync(new DeviceQuery(), CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["a", "b"], (await Stores.Devices.ListAsync(new DeviceQuery(After: "_x"), CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["B", "_x"], (await Stores.Devices.ListAsync(new DeviceQuery(Limit: 2), CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["a"], (await Stores.Devices.ListAsync(new DeviceQuery(State: DeviceState.Active), CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["a", "b"], (await Stores.Devices.ListAsync(new DeviceQuery(Sites: ["s1"]), CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["B", "b"], (await Stores.Devices.ListAsync(new DeviceQuery(Zones: ["z1"]), CancellationToken.None)).Select(d => d.Id));
        Assert.Equal(["b"], (await Stores.Devices.ListAsync(new DeviceQuery(Sites: ["s1", "s3"], Zones: ["z1"]), CancellationToken.None)).Select(d => d.Id));
    }

    [Fact]
    public async Task A_state_change_happens_only_from_one_of_the_named_states()
    {
        await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice("d"), CancellationToken.None));

        Assert.False(await AuditedAsync(transaction =>
            Stores.Devices.TryChangeStateAsync(transaction, "d", [DeviceState.Active, DeviceState.Quarantined], DeviceState.Retired, Start.AddHours(1), CancellationToken.None)));
        Assert.True(await AuditedAsync(transaction =>
            Stores.Devices.TryChangeStateAsync(transaction, "d", [DeviceState.Registered, DeviceState.Active], DeviceState.Quarantined, Start.AddHours(2), CancellationToken.None)));

        var stored = await Stores.Devices.GetAsync("d", CancellationToken.None);
        Assert.Equal(DeviceState.Quarantined, stored!.State);
        Assert.Equal(Start.AddHours(2), stored.Updated);
    }
}
