namespace Rampart.Fleet.Audit;

/// <summary>Where the audit chain is kept. Implementations make every append durable before returning.</summary>
public interface IAuditStore
{
    /// <summary>The entry with the highest sequence number, or null for an empty log.</summary>
    Task<AuditEntry?> GetLastEntryAsync(CancellationToken cancellationToken);

    /// <summary>The checkpoint with the highest sequence number, or null when none was written.</summary>
    Task<AuditCheckpoint?> GetLastCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends entries (and optionally a checkpoint) in one transaction that is durable when the
    /// task completes; on failure nothing of it is stored.
    /// </summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the writer's transaction for one batch (taking the database's write lock now, so no
    /// other writer can interleave between the works and their entries).
    /// </summary>
    Task<IAuditTransaction> BeginAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Entries with a sequence number at or above <paramref name="fromSequence"/>, in sequence order.</summary>
    IAsyncEnumerable<AuditEntry> ReadEntriesAsync(long fromSequence, CancellationToken cancellationToken);

    /// <summary>All checkpoints in sequence order.</summary>
    IAsyncEnumerable<AuditCheckpoint> ReadCheckpointsAsync(CancellationToken cancellationToken);
}
