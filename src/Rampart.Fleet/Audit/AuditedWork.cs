namespace Rampart.Fleet.Audit;

/// <summary>
/// The state change of one audited operation: reads and conditional writes through store methods
/// that take <paramref name="transaction"/>, then what to record. It runs on the audit log's single
/// writer, inside the batch's transaction, so it must be short (a few statements, no network, no
/// signing); it may throw to leave no trace.
/// </summary>
public delegate ValueTask<AuditedOutcome<T>> AuditedWork<T>(IStoreTransaction transaction, CancellationToken cancellationToken);
