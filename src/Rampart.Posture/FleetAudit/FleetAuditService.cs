using System.Globalization;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Posture.Baselines;
using Rampart.Posture.Evidence;
using Rampart.Posture.Risk;

namespace Rampart.Posture.FleetAudit;

/// <summary>
/// <c>rampart audit-fleet run|list|show|suppress</c>: runs every check over the fleet's evidence, keeps
/// every run (with the fleet's posture snapshot, in one audited transaction), shows the difference from the
/// previous run, and suppresses findings until a date with a reason (audited).
/// </summary>
public sealed class FleetAuditService(
    FleetEvidenceLoader loader, IFleetAuditStore store, IAuditLog audit, Func<AuditEnvironment> environment, FleetAuditOptions options, TimeProvider time)
{
    /// <summary>Longest a suppression may last.</summary>
    public static readonly TimeSpan MaxSuppression = TimeSpan.FromDays(365);

    /// <summary>Runs the audit now; returns the stored run and its difference from the previous one.</summary>
    public async Task<(AuditRun Run, AuditDiff Diff)> RunAsync(string trigger, string actor, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var evidence = await loader.LoadAsync(cancellationToken);
        var suppressions = await store.ActiveSuppressionsAsync(evidence.Now, cancellationToken);
        var checks = AuditChecks.Run(new AuditContext(evidence, environment(), options), suppressions);
        var baseline = FleetEvaluation.Fleet(evidence);
        var finished = time.GetUtcNow();
        var run = new AuditRun(0, started, finished, trigger, actor, evidence.Devices.Count, checks);
        var snapshot = Snapshot(finished, baseline, run.NonCompliant);

        var id = (await audit.CommitAsync(async (transaction, commit) =>
        {
            var id = await store.AddRunAsync(transaction, run, commit);
            await store.AddSnapshotAsync(transaction, snapshot, commit);
            // Each device's risk as of this run, so the console's device list can filter by band with an index (issue 22).
            await store.ReplaceDeviceRisksAsync(transaction, baseline.Risks, finished, commit);
            return AuditedOutcome<long>.Done(id, new AuditRecord(actor, "posture.audit-run", $"fleet-audit/{id}", AuditOutcome.Success, new Dictionary<string, string>
            {
                ["trigger"] = trigger,
                ["devices"] = run.Devices.ToString(CultureInfo.InvariantCulture),
                ["non-compliant-checks"] = run.NonCompliant.ToString(CultureInfo.InvariantCulture),
                ["not-assessable-checks"] = checks.Count(c => c.Status == CheckStatus.NotAssessable).ToString(CultureInfo.InvariantCulture),
            }));
        }, cancellationToken)).Value;

        var stored = run with { Id = id };
        return (stored, AuditDiff.Between(stored, await store.PreviousRunAsync(id, cancellationToken)));
    }

    /// <summary>A stored run and its difference from the run before it.</summary>
    public async Task<(AuditRun Run, AuditDiff Diff)> ShowAsync(long id, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(id, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no fleet audit run {id}");
        return (run, AuditDiff.Between(run, await store.PreviousRunAsync(id, cancellationToken)));
    }

    public Task<IReadOnlyList<AuditRun>> ListAsync(int limit, CancellationToken cancellationToken) =>
        limit is < 1 or > 1000 ? throw new FleetException(FleetErrorKind.Invalid, "limit must be 1 to 1000") : store.ListRunsAsync(limit, cancellationToken);

    /// <summary>Suppresses a check's finding (one resource, or the whole check) until <paramref name="until"/>.</summary>
    public async Task<Suppression> SuppressAsync(string check, string? resource, DateTimeOffset until, string reason, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (AuditChecks.All.All(c => c.Id != check))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"no check {Echo.Of(check)}: use one of {string.Join(", ", AuditChecks.All.Select(c => c.Id))}");
        }

        if (until <= now || until > now + MaxSuppression)
        {
            throw new FleetException(FleetErrorKind.Invalid, "a suppression ends in the future, at most 365 days from now");
        }

        if (reason.Length is 0 or > 512 || reason.Any(char.IsControl) || resource is { Length: 0 or > 256 })
        {
            throw new FleetException(FleetErrorKind.Invalid, "a reason of 1 to 512 printable characters is required (and a resource, when given, of at most 256)");
        }

        var suppression = new Suppression(0, check, resource, until, reason, actor, now);
        var id = (await audit.CommitAsync(async (transaction, commit) =>
        {
            var id = await store.AddSuppressionAsync(transaction, suppression, commit);
            return AuditedOutcome<long>.Done(id, new AuditRecord(actor, "posture.finding-suppressed", $"fleet-audit/{check}", AuditOutcome.Success, new Dictionary<string, string>
            {
                ["resource"] = resource ?? "*",
                ["until"] = until.ToString("O", CultureInfo.InvariantCulture),
                ["reason"] = reason,
            }));
        }, cancellationToken)).Value;
        return suppression with { Id = id };
    }

    public Task<IReadOnlyList<Suppression>> SuppressionsAsync(CancellationToken cancellationToken) => store.ActiveSuppressionsAsync(time.GetUtcNow(), cancellationToken);

    /// <summary>The fleet's posture per day over the last <paramref name="days"/> days (1 to 366), from the snapshots every audit run keeps.</summary>
    public async Task<PostureTrend> TrendAsync(int days, CancellationToken cancellationToken)
    {
        if (days is < 1 or > PostureTrend.MaxDays)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"days must be 1 to {PostureTrend.MaxDays}");
        }

        var since = time.GetUtcNow().AddDays(-days);
        return PostureTrend.Of(since, await store.SnapshotsAsync(since, cancellationToken));
    }

    /// <summary>The fleet's posture now, from a baseline evaluation and the audit's result.</summary>
    public static PostureSnapshot Snapshot(DateTimeOffset at, FleetBaseline baseline, int findings) => new(
        at,
        baseline.Devices,
        baseline.Risks.Count == 0 ? 0 : Math.Round(baseline.Risks.Average(r => r.Score), 2),
        RiskScore.Bands.ToDictionary(b => b, b => baseline.Risks.Count(r => r.Band == b), StringComparer.Ordinal),
        baseline.Compliance,
        findings);
}
