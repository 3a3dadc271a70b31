using System.Globalization;
using Rampart.Fleet.Audit;

namespace Rampart.Privacy.Retention;

/// <summary>
/// Enforces retention: each pass deletes, per category, what is older than its period, in one
/// audited transaction that records the counts (never the contents) as <c>privacy.retention-applied</c>.
/// A pass that deletes nothing records nothing. The host runs it on a <see cref="TimeProvider"/> timer.
/// </summary>
public sealed class RetentionJob(RetentionPolicy policy, IRetentionStore store, IAuditLog audit, TimeProvider time)
{
    /// <summary>Runs one pass; returns the rows deleted per category.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var periods = await policy.PeriodsAsync(cancellationToken);
        var now = time.GetUtcNow();
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (category, days) in periods)
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
