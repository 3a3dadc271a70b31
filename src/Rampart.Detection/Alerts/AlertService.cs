using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Alerts;

/// <summary>
/// Turns findings into alerts and moves alerts through their lifecycle (issue 14, item 4). One alert is
/// active per device and detector: a new finding joins it (last seen, occurrences, evidence; a higher
/// severity escalates it, reopening even a suppressed alert; a suppression that has run out reopens it).
/// A window's findings commit in one transaction with an audit entry per change and one for all repeat
/// sightings (docs/detection.md, "Alerts"); events are published once durable.
/// </summary>
public sealed class AlertService(IAlertStore store, IAuditLog audit, SecurityEvents events, DetectionMeter? meter = null)
{
    /// <summary>The audit actor of changes detection makes itself.</summary>
    public const string Actor = "detection";

    /// <summary>Longest suppression.</summary>
    public static readonly TimeSpan MaxSuppression = TimeSpan.FromDays(90);

    /// <summary>Longest reason or note.</summary>
    public const int MaxReasonLength = 512;

    /// <summary>Raises findings; returns the changes (opened and escalated ones are what responses act on).</summary>
    public async Task<IReadOnlyList<AlertChange>> RaiseAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken)
    {
        // One per device and detector: the most severe of the window.
        var distinct = findings.GroupBy(f => (f.DeviceId, f.Detector)).Select(g => g.MaxBy(f => f.Severity)!).ToArray();
        if (distinct.Length == 0)
        {
            return [];
        }

        // The whole window in one transaction (docs/detection.md, "Alerts"): one entry per opened, escalated
        // or reopened alert, and the window's repeat sightings in a single alert.seen entry, not one each.
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var changes = new List<AlertChange>(distinct.Length);
            foreach (var finding in distinct)
            {
                changes.Add(await RaiseAsync(transaction, finding, commit));
            }

            var records = changes.Where(c => c.Kind != AlertChangeKind.Seen).Select(c => AlertEvents.Record(Actor, c.Kind, c.Alert)).ToList();
            var seen = changes.Where(c => c.Kind == AlertChangeKind.Seen).Select(c => c.Alert).ToArray();
            if (seen.Length > 0)
            {
                records.Add(AlertEvents.Sightings(Actor, seen));
            }

            var events = changes.Where(c => c.Kind != AlertChangeKind.Seen).Select(c => AlertEvents.Event(transaction.Now, c.Kind, c.Alert)).ToArray();
            return AuditedOutcome<IReadOnlyList<AlertChange>>.Done(changes, records, events);
        }, cancellationToken);
        await PublishAsync(outcome.Events);
        await RefreshMeterAsync(cancellationToken);
        return outcome.Value;
    }

    public Task<Alert> GetAsync(long id, CancellationToken cancellationToken) => FoundAsync(store.GetAsync(id, cancellationToken), id);

    public Task<IReadOnlyList<Alert>> ListAsync(AlertQuery query, CancellationToken cancellationToken) =>
        query.Limit is < 1 or > AlertQuery.MaxLimit
            ? throw new FleetException(FleetErrorKind.Invalid, $"limit must be 1 to {AlertQuery.MaxLimit}")
            : store.ListAsync(query, cancellationToken);

    /// <summary>A person has seen the alert and works on it.</summary>
    public Task<Alert> AcknowledgeAsync(long id, string actor, string? note, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, AlertChangeKind.Acknowledged, note, required: false, (alert, now) => alert.State == AlertState.Open
            ? alert with { State = AlertState.Acknowledged }
            : throw Conflict(alert, "only an open alert can be acknowledged"), cancellationToken);

    /// <summary>The cause is dealt with; a new finding opens a new alert.</summary>
    public Task<Alert> ResolveAsync(long id, string actor, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, AlertChangeKind.Resolved, reason, required: true, (alert, now) => alert.Active
            ? alert with { State = AlertState.Resolved, SuppressedUntil = null }
            : throw Conflict(alert, "the alert is resolved already"), cancellationToken);

    /// <summary>
    /// Resolves every active alert of <paramref name="deviceId"/>: a device released from quarantine is
    /// judged afresh, so a finding after the release opens a new alert and the response acts again
    /// (joining the old alert as a sighting, it would not). Returns how many were resolved.
    /// </summary>
    public async Task<int> ResolveDeviceAsync(string deviceId, string actor, string reason, CancellationToken cancellationToken)
    {
        var resolved = 0;
        foreach (var alert in await store.ListAsync(new AlertQuery(DeviceId: deviceId, Limit: AlertQuery.MaxLimit), cancellationToken))
        {
            if (!alert.Active)
            {
                continue;
            }

            try
            {
                await ResolveAsync(alert.Id, actor, reason, cancellationToken);
                resolved++;
            }
            catch (FleetException exception) when (exception.Kind == FleetErrorKind.Conflict)
            {
                // A person resolved it meanwhile.
            }
        }

        return resolved;
    }

    /// <summary>Findings join the alert silently until <paramref name="until"/>; after that the next one reopens it.</summary>
    public Task<Alert> SuppressAsync(long id, string actor, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(id, actor, AlertChangeKind.Suppressed, reason, required: true, (alert, now) =>
        {
            if (until <= now || until > now + MaxSuppression)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"suppress until a time after now and at most {MaxSuppression.TotalDays} days ahead");
            }

            return alert.Active ? alert with { State = AlertState.Suppressed, SuppressedUntil = until } : throw Conflict(alert, "a resolved alert cannot be suppressed");
        }, cancellationToken);

    /// <summary>Records what the automatic response did about the alert, audited with the alert and published as <c>response.{kind}</c>.</summary>
    public async Task RecordResponseAsync(long id, string kind, string response, IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken)
    {
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var alert = await store.GetAsync(transaction, id, commit) ?? throw new FleetException(FleetErrorKind.NotFound, $"no alert {id}");
            var updated = alert with { Response = response.Length > MaxReasonLength ? response[..MaxReasonLength] : response };
            await store.UpdateAsync(transaction, updated, commit);
            var facts = AlertEvents.Details(updated);
            foreach (var (key, value) in details)
            {
                facts[key] = value;
            }

            facts["response"] = updated.Response!;
            return AuditedOutcome<bool>.Done(true, new AuditRecord(Actor, "response." + kind, $"alert/{id}", AuditOutcome.Success, new Dictionary<string, string>(facts) { ["device"] = alert.DeviceId }),
                new SecurityEvent(transaction.Now, "response." + kind, AlertEvents.SeverityOf(alert.Severity), alert.DeviceId, null, facts));
        }, cancellationToken);
        await PublishAsync(outcome.Events);
    }

    /// <summary>Deletes resolved alerts past their retention; returns how many.</summary>
    public Task<int> ApplyRetentionAsync(DateTimeOffset now, TimeSpan retention, CancellationToken cancellationToken) =>
        store.DeleteResolvedBeforeAsync(now - retention, cancellationToken);

    /// <summary>Sets the open-alert gauge from the store.</summary>
    public async Task RefreshMeterAsync(CancellationToken cancellationToken)
    {
        if (meter is not null)
        {
            meter.OpenAlerts(await store.CountActiveAsync(cancellationToken));
        }
    }

    private async Task<AlertChange> RaiseAsync(IStoreTransaction transaction, Finding finding, CancellationToken cancellationToken)
    {
        var now = transaction.Now;
        var summary = finding.Summary.Length > MaxReasonLength ? finding.Summary[..MaxReasonLength] : finding.Summary;
        var active = await store.FindActiveAsync(transaction, finding.DeviceId, finding.Detector, cancellationToken);
        if (active is null)
        {
            var alert = new Alert(0, finding.DeviceId, finding.Detector, finding.Severity, AlertState.Open, summary, finding.Evidence,
                finding.Time, finding.Time, 1, null, null, Actor, now, null);
            alert = alert with { Id = await store.AddAsync(transaction, alert, cancellationToken) };
            return new AlertChange(alert, AlertChangeKind.Opened);
        }

        var joined = active with
        {
            LastSeen = finding.Time > active.LastSeen ? finding.Time : active.LastSeen,
            Occurrences = active.Occurrences == int.MaxValue ? int.MaxValue : active.Occurrences + 1,
            Evidence = finding.Evidence,
            Summary = summary,
        };
        AlertChange change;
        if (active.State == AlertState.Suppressed && active.SuppressedUntil <= now)
        {
            change = new(joined with { State = AlertState.Open, SuppressedUntil = null, Severity = Max(active.Severity, finding.Severity), ChangedBy = Actor, Changed = now }, AlertChangeKind.Opened);
        }
        else if (finding.Severity > active.Severity)
        {
            // More severe than what was acknowledged or suppressed: a person decided about the lesser
            // finding, not this one, so it reopens (a suppression never swallows an escalation).
            change = new(joined with { Severity = finding.Severity, State = AlertState.Open, SuppressedUntil = null, ChangedBy = Actor, Changed = now }, AlertChangeKind.Escalated);
        }
        else
        {
            change = new(joined, AlertChangeKind.Seen);
        }

        await store.UpdateAsync(transaction, change.Alert, cancellationToken);
        return change;
    }

    private async Task<Alert> ChangeAsync(
        long id, string actor, AlertChangeKind kind, string? reason, bool required, Func<Alert, DateTimeOffset, Alert> change, CancellationToken cancellationToken)
    {
        if ((required && string.IsNullOrWhiteSpace(reason)) || reason is { Length: > MaxReasonLength } || (reason is not null && reason.Any(char.IsControl)))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"a reason of {(required ? 1 : 0)} to {MaxReasonLength} printable characters is {(required ? "required" : "allowed")}");
        }

        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var alert = await store.GetAsync(transaction, id, commit) ?? throw new FleetException(FleetErrorKind.NotFound, $"no alert {id}");
            var changed = change(alert, transaction.Now) with { Reason = reason ?? alert.Reason, ChangedBy = actor, Changed = transaction.Now };
            await store.UpdateAsync(transaction, changed, commit);
            return AuditedOutcome<Alert>.Done(changed, AlertEvents.Record(actor, kind, changed), AlertEvents.Event(transaction.Now, kind, changed));
        }, cancellationToken);
        await PublishAsync(outcome.Events);
        await RefreshMeterAsync(CancellationToken.None);
        return outcome.Value;
    }

    private Task PublishAsync(IReadOnlyList<SecurityEvent> committed) => events.PublishCommittedAsync(committed, CancellationToken.None);

    private static AlertSeverity Max(AlertSeverity a, AlertSeverity b) => a > b ? a : b;

    private static FleetException Conflict(Alert alert, string why) =>
        new(FleetErrorKind.Conflict, $"alert {alert.Id} is {alert.State.ToString().ToLowerInvariant()}: {why}");

    private static async Task<Alert> FoundAsync(Task<Alert?> lookup, long id) =>
        await lookup ?? throw new FleetException(FleetErrorKind.NotFound, $"no alert {id}");
}
