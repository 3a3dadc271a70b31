using System.Collections.Concurrent;

namespace Rampart.Privacy.Archive;

/// <summary>Each region's archive store, opened by the host at start (issue 19 §6: a region's messages are archived only in its store).</summary>
public sealed class ArchiveRegions : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IArchiveStore> _stores = new(StringComparer.Ordinal);

    /// <summary>Every region's store.</summary>
    public IReadOnlyCollection<IArchiveStore> All => (IReadOnlyCollection<IArchiveStore>)_stores.Values;

    /// <summary>The store of <paramref name="region"/>, or null when none is open.</summary>
    public IArchiveStore? For(string region) => _stores.GetValueOrDefault(region);

    /// <summary>Adds an opened store; a region has one.</summary>
    public void Add(IArchiveStore store)
    {
        if (!_stores.TryAdd(store.Region, store))
        {
            throw new InvalidOperationException($"region {store.Region} has an archive store already");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores.Values)
        {
            await store.DisposeAsync();
        }

        _stores.Clear();
    }
}
