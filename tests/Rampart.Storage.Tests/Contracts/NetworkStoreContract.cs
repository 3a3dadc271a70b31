using Rampart.Fleet.Audit;
using Rampart.Network.Inventory;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>The passive network inventory (issue 21 item 5, migration 0027), the same on every provider.</summary>
public abstract class NetworkStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static NetworkHost Host(string address, string? device, int minute, params string[] ports) =>
        new(address, device is null ? "02:00:00:00:00:01" : null, null, device, Start.AddMinutes(minute), Start.AddMinutes(minute + 1), 3, 300, ports, ["telnet"], device is null ? ["telnet"] : []);

    private Task SaveAsync(params NetworkHost[] hosts) =>
        Audit.CommitAsync<bool>(async (transaction, cancellationToken) =>
        {
            await Stores.Network.SaveHostsAsync(transaction, hosts, cancellationToken);
            return AuditedOutcome<bool>.Done(true, new AuditRecord("test", "network.imported", "network", AuditOutcome.Success));
        });

    [Fact]
    public async Task Saved_hosts_read_back_by_address_replace_their_row_and_list_newest_first_with_only_the_unknown_on_request()
    {
        await SaveAsync(Host("10.0.0.1", null, 0, "tcp/23"), Host("10.0.0.2", "d1", 5, "tcp/443"), Host("fd00::3", null, 9));
        await SaveAsync(Host("10.0.0.1", null, 20, "tcp/23", "tcp/1883"));

        var one = Assert.Single(await Stores.Network.GetHostsAsync(["10.0.0.1", "10.9.9.9"], CancellationToken.None));
        Assert.Equal(["tcp/23", "tcp/1883"], one.Ports);
        Assert.Equal(("02:00:00:00:00:01", Start.AddMinutes(20), 300L), (one.Mac, one.FirstSeen, one.Bytes));
        Assert.Equal(["telnet"], one.Insecure);

        Assert.Equal(["10.0.0.1", "fd00::3", "10.0.0.2"], (await Stores.Network.ListHostsAsync(false, 10, CancellationToken.None)).Select(h => h.Address));
        Assert.Equal(["10.0.0.1", "fd00::3"], (await Stores.Network.ListHostsAsync(true, 10, CancellationToken.None)).Select(h => h.Address));
        Assert.Equal(["10.0.0.1"], (await Stores.Network.ListHostsAsync(false, 1, CancellationToken.None)).Select(h => h.Address));
    }

    [Fact]
    public async Task A_device_address_belongs_to_the_device_that_connected_from_it_last()
    {
        await Stores.Network.RecordDeviceAddressAsync("10.0.0.7", "d1", Start, CancellationToken.None);
        await Stores.Network.RecordDeviceAddressAsync("10.0.0.7", "d2", Start.AddMinutes(2), CancellationToken.None);
        await Stores.Network.RecordDeviceAddressAsync("10.0.0.7", "d3", Start.AddMinutes(1), CancellationToken.None);
        await Stores.Network.RecordDeviceAddressAsync("10.0.0.8", "d1", Start.AddMinutes(3), CancellationToken.None);

        var addresses = await Stores.Network.DeviceAddressesAsync(10, CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["10.0.0.7"] = "d2", ["10.0.0.8"] = "d1" }, addresses);
        Assert.Equal(["10.0.0.8"], (await Stores.Network.DeviceAddressesAsync(1, CancellationToken.None)).Keys);
    }
    [Fact]
    public async Task A_binding_matches_stored_hosts_of_its_address_or_mac_at_once_replaces_an_earlier_one_and_unbinding_undoes_only_its_own()
    {
        await SaveAsync(Host("10.0.0.1", null, 0), Host("10.0.0.2", null, 1));
        await AuditedAsync(t => Bind(t, new NetworkBinding(NetworkBinding.Address, "10.0.0.1", "d-old", "alice", Start)));
        await AuditedAsync(t => Bind(t, new NetworkBinding(NetworkBinding.Address, "10.0.0.1", "d1", "bob", Start.AddMinutes(1))));
        await AuditedAsync(t => Bind(t, new NetworkBinding(NetworkBinding.Mac, "02:00:00:00:00:01", "d2", "bob", Start.AddMinutes(2))));

        Assert.Equal(
            [new NetworkBinding(NetworkBinding.Address, "10.0.0.1", "d1", "bob", Start.AddMinutes(1)), new NetworkBinding(NetworkBinding.Mac, "02:00:00:00:00:01", "d2", "bob", Start.AddMinutes(2))],
            await Stores.Network.ListBindingsAsync(10, CancellationToken.None));
        // Both hosts carry the MAC of Host(): the MAC binding (newer) matched both.
        Assert.Equal(["d2", "d2"], (await Stores.Network.GetHostsAsync(["10.0.0.1", "10.0.0.2"], CancellationToken.None)).Select(h => h.DeviceId));

        var removed = await AuditedAsync(t => Stores.Network.UnbindAsync(t, NetworkBinding.Mac, "02:00:00:00:00:01", CancellationToken.None));
        Assert.Equal("d2", removed?.DeviceId);
        Assert.Null(await AuditedAsync(t => Stores.Network.UnbindAsync(t, NetworkBinding.Mac, "02:00:00:00:00:01", CancellationToken.None)));
        Assert.All(await Stores.Network.ListHostsAsync(false, 10, CancellationToken.None), h => Assert.Null(h.DeviceId));
        Assert.Single(await Stores.Network.ListBindingsAsync(10, CancellationToken.None));
    }

    private async Task<bool> Bind(IStoreTransaction transaction, NetworkBinding binding)
    {
        await Stores.Network.BindAsync(transaction, binding, CancellationToken.None);
        return true;
    }
}

public sealed class SqliteNetworkStoreTests : NetworkStoreContract<SqliteProvider>;

public sealed class PostgresNetworkStoreTests : NetworkStoreContract<PostgresProvider>;
