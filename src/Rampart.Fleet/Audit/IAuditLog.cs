namespace Rampart.Fleet.Audit;

/// <summary>Records state changes and security decisions. Every state-changing operation writes here.</summary>
public interface IAuditLog
{
    /// <summary>Appends a record; the returned entry is durable when the task completes.</summary>
    Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="work"/> inside the next durable transaction and commits its writes with
    /// its audit entries and security events (all or nothing), shared with whatever else is queued
    /// (group commit). The returned outcome is durable when the task completes; an exception from the
    /// work leaves no trace of it. Once queued, the work runs even if the caller stops waiting.
    /// </summary>
    Task<AuditedOutcome<T>> CommitAsync<T>(AuditedWork<T> work, CancellationToken cancellationToken = default);
}
