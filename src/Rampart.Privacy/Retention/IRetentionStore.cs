using Rampart.Fleet.Audit;

namespace Rampart.Privacy.Retention;

/// <summary>Retention periods and the deletions that enforce them (implemented in Rampart.Storage).</summary>
public interface IRetentionStore
{
    /// <summary>Periods set at run time, in days, by category.</summary>
    Task<IReadOnlyDictionary<string, int>> PeriodsAsync(CancellationToken cancellationToken);

    /// <summary>Sets a category's period.</summary>
    Task SetPeriodAsync(IStoreTransaction transaction, string category, int days, CancellationToken cancellationToken);

    /// <summary>Deletes what of <paramref name="category"/> is older than <paramref name="cutoff"/>; returns how many rows.</summary>
    Task<int> DeleteExpiredAsync(IStoreTransaction transaction, string category, DateTimeOffset cutoff, CancellationToken cancellationToken);
}
