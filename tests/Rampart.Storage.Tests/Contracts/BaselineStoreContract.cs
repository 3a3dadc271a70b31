using Rampart.Detection.Baselines;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>The devices' learned baselines (issue 14, migration 0014), the same on every provider.</summary>
public abstract class BaselineStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static StoredBaseline Baseline(string device, int minute, byte fill) => new(device, Start.AddMinutes(minute), Enumerable.Repeat(fill, 418).ToArray());

    [Fact]
    public async Task A_saved_baseline_replaces_the_device_s_previous_one_reads_back_newest_first_and_retention_deletes_the_stale()
    {
        await Stores.Baselines.SaveAsync([Baseline("d1", 0, 1), Baseline("d2", 1, 2), Baseline("d3", 2, 3)], CancellationToken.None);
        await Stores.Baselines.SaveAsync([Baseline("d1", 5, 9)], CancellationToken.None);

        var loaded = await Stores.Baselines.LoadAsync(10, CancellationToken.None);

        Assert.Equal([("d1", 9, Start.AddMinutes(5)), ("d3", 3, Start.AddMinutes(2)), ("d2", 2, Start.AddMinutes(1))],
            loaded.Select(b => (b.DeviceId, (int)b.State[417], b.SavedAt)));
        Assert.All(loaded, b => Assert.Equal(418, b.State.Length));
        Assert.Equal(["d1", "d3"], (await Stores.Baselines.LoadAsync(2, CancellationToken.None)).Select(b => b.DeviceId));

        Assert.Equal(2, await Stores.Baselines.DeleteBeforeAsync(Start.AddMinutes(3), CancellationToken.None));
        Assert.Equal(["d1"], (await Stores.Baselines.LoadAsync(10, CancellationToken.None)).Select(b => b.DeviceId));
    }
}

// Once per provider (Contracts/Providers.cs is the storage refactor's; these live beside their contract).
public sealed class SqliteBaselineStoreTests : BaselineStoreContract<SqliteProvider>;

public sealed class PostgresBaselineStoreTests : BaselineStoreContract<PostgresProvider>;
