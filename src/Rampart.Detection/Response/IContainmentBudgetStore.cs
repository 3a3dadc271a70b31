using Rampart.Fleet.Audit;

namespace Rampart.Detection.Response;

/// <summary>
/// The automatic containments taken against the guard rail, by pool (issue 14, item 5): in the node's
/// database, so every node of a cluster draws from one budget and a restart forgets nothing. Writes
/// run in the audit writer's transaction, which is serialised cluster-wide (SQLite's BEGIN IMMEDIATE,
/// PostgreSQL's chain lock), so count-then-take cannot overspend.
/// </summary>
public interface IContainmentBudgetStore
{
    /// <summary>Containments of <paramref name="pool"/> taken after <paramref name="since"/> (the sliding period).</summary>
    Task<int> CountSinceAsync(IStoreTransaction transaction, string pool, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The same outside a transaction (for figures).</summary>
    Task<int> CountSinceAsync(string pool, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Records a containment taken for the alert; entries at or before <paramref name="expired"/> are deleted (the table stays bounded).</summary>
    Task AddAsync(IStoreTransaction transaction, string pool, long alertId, DateTimeOffset at, DateTimeOffset expired, CancellationToken cancellationToken);

    /// <summary>Gives back the alert's containment (it contained nothing); false when there was none.</summary>
    Task<bool> RemoveAsync(IStoreTransaction transaction, long alertId, CancellationToken cancellationToken);
}
