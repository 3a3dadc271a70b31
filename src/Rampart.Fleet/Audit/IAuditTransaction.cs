using Rampart.Fleet.Monitoring;

namespace Rampart.Fleet.Audit;

/// <summary>
/// The audit log writer's transaction: the works of one batch write through it (as an
/// <see cref="IStoreTransaction"/>), each inside its own savepoint, then the chained entries and the
/// events are appended and one commit makes all of it durable (one fsync for the batch). Disposing
/// it uncommitted rolls everything back.
/// </summary>
public interface IAuditTransaction : IStoreTransaction, IAsyncDisposable
{
    /// <summary>
    /// The chain's head read under the lock <see cref="IAuditStore.BeginAsync"/> took, when other
    /// writers share the chain (several nodes on one PostgreSQL database); null when this process is
    /// its only writer (SQLite: one node per file), so the writer's own memory is the head and
    /// nothing is read.
    /// </summary>
    Task<AuditChainHead?> ReadHeadAsync() => Task.FromResult<AuditChainHead?>(null);

    /// <summary>Marks where the next work starts (SQL SAVEPOINT).</summary>
    Task SavepointAsync();

    /// <summary>Undoes the current work's writes and ends its savepoint.</summary>
    Task RollbackToSavepointAsync();

    /// <summary>Keeps the current work's writes and ends its savepoint.</summary>
    Task ReleaseSavepointAsync();

    /// <summary>Appends chained entries, an optional checkpoint and the batch's security events.</summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, IReadOnlyList<SecurityEvent> events);

    /// <summary>Commits durably (SQLite synchronous = FULL, PostgreSQL synchronous_commit = on: returns after the WAL is fsynced).</summary>
    Task CommitAsync();
}
