using Rampart.Fleet.Audit;
using Rampart.Posture.Risk;

namespace Rampart.Posture.FleetAudit;

/// <summary>Audit runs (every run kept), suppressions and fleet posture snapshots. Writes run inside their audited transaction.</summary>
public interface IFleetAuditStore
{
    /// <summary>Stores a run; returns its id.</summary>
    Task<long> AddRunAsync(IStoreTransaction transaction, AuditRun run, CancellationToken cancellationToken);

    /// <summary>The run, or null.</summary>
    Task<AuditRun?> GetRunAsync(long id, CancellationToken cancellationToken);

    /// <summary>The run before <paramref name="id"/>, or null.</summary>
    Task<AuditRun?> PreviousRunAsync(long id, CancellationToken cancellationToken);

    /// <summary>Runs, newest first.</summary>
    Task<IReadOnlyList<AuditRun>> ListRunsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Stores a suppression; returns its id.</summary>
    Task<long> AddSuppressionAsync(IStoreTransaction transaction, Suppression suppression, CancellationToken cancellationToken);

    /// <summary>Suppressions whose end is after <paramref name="now"/>.</summary>
    Task<IReadOnlyList<Suppression>> ActiveSuppressionsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stores the fleet's posture at one time (inside the run's transaction).</summary>
    Task AddSnapshotAsync(IStoreTransaction transaction, PostureSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Snapshots since <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<PostureSnapshot>> SnapshotsAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces every device's stored risk with <paramref name="risks"/> of the run at <paramref name="at"/> (inside the
    /// run's transaction): a device the run did not score (retired since) has no stored risk.
    /// </summary>
    Task ReplaceDeviceRisksAsync(IStoreTransaction transaction, IReadOnlyList<RiskScore> risks, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The stored risk of those of <paramref name="deviceIds"/> that have one (at most 1,000 ids).</summary>
    Task<IReadOnlyList<DeviceRisk>> DeviceRisksAsync(IReadOnlyList<string> deviceIds, CancellationToken cancellationToken);

    /// <summary>
    /// At most <paramref name="limit"/> stored risks, riskiest first (score descending, then device id), after the
    /// device <paramref name="after"/> in that order: a page of the index on (score DESC, device_id), not the fleet.
    /// </summary>
    Task<IReadOnlyList<StoredRisk>> RiskiestAsync((int Score, string DeviceId)? after, int limit, CancellationToken cancellationToken);

    /// <summary>The newest snapshot (of the last fleet audit run), or null before the first run.</summary>
    Task<PostureSnapshot?> LatestSnapshotAsync(CancellationToken cancellationToken);
}
