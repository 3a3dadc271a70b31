using Rampart.Detection.Export;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>The export leases (migration 0021): one holder per destination, renewal, expiry, release, and two nodes racing.</summary>
public abstract class ExportLeaseContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    private IExportLeaseStore Leases => Stores.ExportLeases;

    [Fact]
    public async Task A_held_lease_is_refused_to_another_node_until_it_expires_and_then_taken_over()
    {
        Assert.Null(await Leases.GetAsync("webhook:a", CancellationToken.None));
        Assert.True(await Leases.TryHoldAsync("webhook:a", "node-a", Now, Now + Duration, CancellationToken.None));

        Assert.False(await Leases.TryHoldAsync("webhook:a", "node-b", Now + Duration - TimeSpan.FromMilliseconds(1), Now + Duration * 2, CancellationToken.None));
        Assert.Equal(new ExportLease("webhook:a", "node-a", Now + Duration), await Leases.GetAsync("webhook:a", CancellationToken.None));

        Assert.True(await Leases.TryHoldAsync("webhook:a", "node-b", Now + Duration, Now + Duration * 2, CancellationToken.None));
        Assert.Equal(new ExportLease("webhook:a", "node-b", Now + Duration * 2), await Leases.GetAsync("webhook:a", CancellationToken.None));
        Assert.False(await Leases.TryHoldAsync("webhook:a", "node-a", Now + Duration, Now + Duration * 2, CancellationToken.None));
    }

    [Fact]
    public async Task The_holder_renews_its_lease_and_leases_of_other_destinations_are_apart()
    {
        Assert.True(await Leases.TryHoldAsync("webhook:a", "node-a", Now, Now + Duration, CancellationToken.None));
        Assert.True(await Leases.TryHoldAsync("webhook:a", "node-a", Now + TimeSpan.FromSeconds(20), Now + TimeSpan.FromSeconds(50), CancellationToken.None));
        Assert.True(await Leases.TryHoldAsync("syslog:b", "node-b", Now, Now + Duration, CancellationToken.None));

        // Renewed: still the holder's after the first expiry.
        Assert.False(await Leases.TryHoldAsync("webhook:a", "node-b", Now + TimeSpan.FromSeconds(40), Now + TimeSpan.FromSeconds(70), CancellationToken.None));
        Assert.Equal("node-b", (await Leases.GetAsync("syslog:b", CancellationToken.None))!.Holder);
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once_and_only_its_holder_can_release_it()
    {
        Assert.True(await Leases.TryHoldAsync("webhook:a", "node-a", Now, Now + Duration, CancellationToken.None));

        await Leases.ReleaseAsync("webhook:a", "node-b", CancellationToken.None);
        Assert.False(await Leases.TryHoldAsync("webhook:a", "node-b", Now, Now + Duration, CancellationToken.None));

        await Leases.ReleaseAsync("webhook:a", "node-a", CancellationToken.None);
        Assert.Null(await Leases.GetAsync("webhook:a", CancellationToken.None));
        Assert.True(await Leases.TryHoldAsync("webhook:a", "node-b", Now, Now + Duration, CancellationToken.None));
    }

    [Fact]
    public async Task Nodes_racing_for_a_free_lease_get_exactly_one_holder()
    {
        await using var second = Provider.OpenSecondNode();
        var nodes = Enumerable.Range(0, 8).Select(i => (Store: i % 2 == 0 ? Leases : second.ExportLeases, Name: $"node-{i}")).ToArray();

        var won = await Task.WhenAll(nodes.Select(node => Task.Run(() => node.Store.TryHoldAsync("webhook:a", node.Name, Now, Now + Duration, CancellationToken.None))));

        var winner = Assert.Single(nodes.Where((_, i) => won[i]));
        Assert.Equal(winner.Name, (await Leases.GetAsync("webhook:a", CancellationToken.None))!.Holder);
    }
}
