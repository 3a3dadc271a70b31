using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;

namespace Rampart.Detection.Alerts;

/// <summary>
/// Where alerts are kept. Writes run inside an audited transaction (<see cref="IAuditLog.CommitAsync{T}"/>),
/// so an alert and its audit entry commit together. Plain SQL in each provider (SQLite now; PostgreSQL later).
/// </summary>
public interface IAlertStore
{
    /// <summary>The active (not resolved) alert of this device and detector, if any.</summary>
    Task<Alert?> FindActiveAsync(IStoreTransaction transaction, string deviceId, string detector, CancellationToken cancellationToken);

    /// <summary>An alert read inside the transaction (for a lifecycle change).</summary>
    Task<Alert?> GetAsync(IStoreTransaction transaction, long id, CancellationToken cancellationToken);

    /// <summary>Adds an alert; returns its id.</summary>
    Task<long> AddAsync(IStoreTransaction transaction, Alert alert, CancellationToken cancellationToken);

    /// <summary>Replaces the alert's mutable fields (state, severity, summary, evidence, last seen, occurrences, suppression, reason, response).</summary>
    Task UpdateAsync(IStoreTransaction transaction, Alert alert, CancellationToken cancellationToken);

    /// <summary>An alert, or null.</summary>
    Task<Alert?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>A page of alerts, newest first.</summary>
    Task<IReadOnlyList<Alert>> ListAsync(AlertQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes resolved alerts last changed before <paramref name="cutoff"/> (their audit entries stay); returns how many.</summary>
    Task<int> DeleteResolvedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Active alerts by severity.</summary>
    Task<IReadOnlyDictionary<AlertSeverity, long>> CountActiveAsync(CancellationToken cancellationToken);
}
