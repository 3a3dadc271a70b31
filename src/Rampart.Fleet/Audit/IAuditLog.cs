namespace Rampart.Fleet.Audit;

/// <summary>Records state changes and security decisions. Every state-changing operation writes here.</summary>
public interface IAuditLog
{
    /// <summary>Appends a record; the returned entry is durable when the task completes.</summary>
    Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default);
}
