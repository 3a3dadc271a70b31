using System.Collections.Concurrent;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>
/// The LMS state in the database (migration 0038): each reservation hands out the next leaf once, across
/// nodes sharing the database, and nothing moves the index back (RFC 8554 §5.4: a one-time key signs once).
/// </summary>
public abstract class LmsStateStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static readonly byte[] KeyA = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
    private static readonly byte[] KeyB = [.. Enumerable.Range(101, 16).Select(i => (byte)i)];

    [Fact]
    public async Task A_new_key_starts_at_leaf_zero_and_each_reservation_takes_the_next_leaf()
    {
        var state = Stores.LmsState(KeyA);
        Assert.Equal(0, await state.LoadAsync(CancellationToken.None));
        await state.ReserveAsync(0, CancellationToken.None);

        Assert.Equal(0, await state.ReserveNextAsync(32, CancellationToken.None));
        Assert.Equal(1, await state.ReserveNextAsync(32, CancellationToken.None));
        Assert.Equal(2, await state.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Reservations_stop_at_the_last_leaf_and_a_spent_key_gets_none()
    {
        var state = Stores.LmsState(KeyA);
        await state.ReserveAsync(30, CancellationToken.None);

        Assert.Equal(30, await state.ReserveNextAsync(32, CancellationToken.None));
        Assert.Equal(31, await state.ReserveNextAsync(32, CancellationToken.None));
        Assert.Null(await state.ReserveNextAsync(32, CancellationToken.None));
        Assert.Equal(32, await state.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Recording_a_lower_index_such_as_an_old_state_file_never_moves_the_state_back()
    {
        var state = Stores.LmsState(KeyA);
        await state.ReserveAsync(7, CancellationToken.None);
        await state.ReserveAsync(3, CancellationToken.None);
        await state.ReserveAsync(0, CancellationToken.None);

        Assert.Equal(7, await state.ReserveNextAsync(32, CancellationToken.None));
    }

    [Fact]
    public async Task A_key_that_was_never_recorded_gets_no_leaf_and_keys_count_apart()
    {
        Assert.Null(await Stores.LmsState(KeyA).ReserveNextAsync(32, CancellationToken.None));

        await Stores.LmsState(KeyA).ReserveAsync(5, CancellationToken.None);
        await Stores.LmsState(KeyB).ReserveAsync(0, CancellationToken.None);

        Assert.Equal(0, await Stores.LmsState(KeyB).ReserveNextAsync(32, CancellationToken.None));
        Assert.Equal(5, await Stores.LmsState(KeyA).ReserveNextAsync(32, CancellationToken.None));
    }

    [Fact]
    public async Task Two_nodes_reserving_at_once_never_get_the_same_leaf()
    {
        await using var second = Provider.OpenSecondNode();
        var nodes = new[] { Stores.LmsState(KeyA), second.LmsState(KeyA) };
        await nodes[0].ReserveAsync(0, CancellationToken.None);
        var taken = new ConcurrentBag<long>();

        // Eight writers per node, each reserving until the key is spent.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            while (await nodes[i % 2].ReserveNextAsync(64, CancellationToken.None) is { } leaf)
            {
                taken.Add(leaf);
            }
        })));

        Assert.Equal(Enumerable.Range(0, 64).Select(i => (long)i), taken.Order());
        Assert.Equal(64, await nodes[1].LoadAsync(CancellationToken.None));
    }
}
