using System.Globalization;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;

namespace Rampart.Detection.Response;

/// <summary>
/// The guard rail (issue 14, item 5): at most so many automatic containments per sliding period, per
/// pool. A severity listed in <see cref="ResponseOptions.MaxAutomaticContainmentsBySeverity"/> has a
/// pool of its own (so a flood of high alerts an attacker provokes cannot spend what a critical one
/// needs); the others share <see cref="ResponseOptions.MaxAutomaticContainments"/>. Persisted and
/// shared by every node (<see cref="IContainmentBudgetStore"/>); each take and give-back is audited.
/// </summary>
public sealed class ContainmentBudget(IContainmentBudgetStore store, IAuditLog audit, ResponseOptions options, TimeProvider time)
{
    /// <summary>The pool of the severities without one of their own.</summary>
    public const string SharedPool = "shared";

    /// <summary>The pool an alert of <paramref name="severity"/> draws from, and its size.</summary>
    public (string Pool, int Limit) PoolOf(AlertSeverity severity) =>
        options.MaxAutomaticContainmentsBySeverity.TryGetValue(severity, out var own)
            ? (severity.ToString().ToLowerInvariant(), own)
            : (SharedPool, options.MaxAutomaticContainments);

    /// <summary>Containments the alert's pool still allows now.</summary>
    public async Task<int> RemainingAsync(AlertSeverity severity, CancellationToken cancellationToken)
    {
        var (pool, limit) = PoolOf(severity);
        return Math.Max(0, limit - await store.CountSinceAsync(pool, Since(time.GetUtcNow()), cancellationToken));
    }

    /// <summary>Takes one containment for the alert; false (and nothing taken) when its pool is spent.</summary>
    public async Task<bool> TryTakeAsync(Alert alert, CancellationToken cancellationToken)
    {
        var (pool, limit) = PoolOf(alert.Severity);
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var taken = await store.CountSinceAsync(transaction, pool, Since(transaction.Now), commit);
            if (taken >= limit)
            {
                return AuditedOutcome<bool>.Nothing(false);
            }

            await store.AddAsync(transaction, pool, alert.Id, transaction.Now, Since(transaction.Now), commit);
            return AuditedOutcome<bool>.Done(true, new AuditRecord(AlertService.Actor, "response.budget-taken", $"alert/{alert.Id}", AuditOutcome.Success,
                new Dictionary<string, string> { ["pool"] = pool, ["taken"] = (taken + 1).ToString(CultureInfo.InvariantCulture), ["limit"] = limit.ToString(CultureInfo.InvariantCulture) }));
        }, cancellationToken);
        return outcome.Value;
    }

    /// <summary>Gives the alert's containment back (the action contained nothing).</summary>
    public Task ReturnAsync(long alertId, CancellationToken cancellationToken) =>
        audit.CommitAsync(async (transaction, commit) =>
            await store.RemoveAsync(transaction, alertId, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(AlertService.Actor, "response.budget-returned", $"alert/{alertId}", AuditOutcome.Success))
                : AuditedOutcome<bool>.Nothing(false),
            cancellationToken);

    private DateTimeOffset Since(DateTimeOffset now) => now - options.Period;
}
