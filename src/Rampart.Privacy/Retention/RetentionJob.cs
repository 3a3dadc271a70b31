using System.Globalization;
using Rampart.Fleet.Audit;
using Rampart.Privacy.Archive;

namespace Rampart.Privacy.Retention;

/// <summary>
/// Enforces retention: each pass deletes, per category, what is older than its period, in one
/// audited transaction that records the counts (never the contents) as <c>privacy.retention-applied</c>.
/// The archive lives in each region's own store, outside that transaction: its rows are deleted
/// first and their count recorded in the same audit record. A pass that deletes nothing records
/// nothing. The host runs it on a <see cref="TimeProvider"/> timer.
/// </summary>
public sealed class RetentionJob(RetentionPolicy policy, IRetentionStore store, IAuditLog audit, TimeProvider time, TelemetryArchive? archive = null)
{
    /// <summary>Runs one pass; returns the rows deleted per category.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var periods = await policy.PeriodsAsync(cancellationToken);
        var now = time.GetUtcNow();
        var archived = archive is null ? 0 : await archive.DeleteOlderThanAsync(now.AddDays(-periods[RetentionPolicy.ArchiveCategory]), cancellationToken);
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var deleted = new Dictionary<string, int>(StringComparer.Ordinal) { [RetentionPolicy.ArchiveCategory] = archived };
            foreach (var (category, days) in periods.Where(p => p.Key != RetentionPolicy.ArchiveCategory))
            {
                deleted[category] = await store.DeleteExpiredAsync(transaction, category, now.AddDays(-days), commit);
            }

            if (deleted.Values.All(count => count == 0))
            {
                return AuditedOutcome<IReadOnlyDictionary<string, int>>.Nothing(deleted);
            }

            var details = deleted.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
            return AuditedOutcome<IReadOnlyDictionary<string, int>>.Done(deleted, new AuditRecord("node", "privacy.retention-applied", "privacy/retention", AuditOutcome.Success, details));
        }, cancellationToken);
        return outcome.Value;
    }
}
