using System.Globalization;
using Rampart.Detection.Alerts;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;

namespace Rampart.Detection.Response;

/// <summary>
/// Automated response as policy (issue 14, item 5): for an alert that opened or escalated, the first
/// matching rule's action is carried out at once — unless the guard rail's budget of automatic
/// containments (<see cref="ContainmentBudget"/>, persisted and shared by the cluster's nodes) is spent
/// for the alert's pool, or the action is a revocation a person must decide: then the action is held
/// (<c>response.held</c>) and the alert says what waits; a held revocation is filed as a four-eyes
/// request (<see cref="HeldRevocation"/>). Every action is audited with its alert
/// (<see cref="AlertService.RecordResponseAsync"/>), and the containment itself carries the alert in
/// its own audit entry (the quarantine's reason names it).
/// </summary>
public sealed class ResponseEngine(
    ResponseOptions options, IContainmentActions actions, AlertService alerts, ContainmentBudget budget, ApprovalService? approvals = null, DetectionMeter? meter = null)
{
    /// <summary>Acts on the changes that call for it (opened and escalated alerts).</summary>
    public async Task HandleAsync(IReadOnlyList<AlertChange> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
        {
            if (change.Kind is AlertChangeKind.Opened or AlertChangeKind.Escalated)
            {
                await RespondAsync(change.Alert, cancellationToken);
            }
        }
    }

    private async Task RespondAsync(Alert alert, CancellationToken cancellationToken)
    {
        var rule = options.Effective.FirstOrDefault(r => r.Matches(alert.Detector, alert.Severity));
        if (rule is null || rule.Action == ResponseAction.Notify)
        {
            return;
        }

        var action = Name(rule.Action);
        var details = new Dictionary<string, string> { ["action"] = action };
        var reason = $"alert {alert.Id} ({alert.Detector}): {alert.Summary}";
        reason = reason.Length > 512 ? reason[..512] : reason;

        // 1. A revocation below the severity detection may revoke at on its own waits for a person, budget or not.
        if (rule.Action == ResponseAction.Revoke && alert.Severity < options.AutomaticRevokeMinimumSeverity)
        {
            details["why"] = $"automatic revocation needs severity {options.AutomaticRevokeMinimumSeverity.ToString().ToLowerInvariant()} or more";
            await HoldAsync(alert, rule.Action, reason, details, cancellationToken);
            return;
        }

        // 2. The guard rail: one containment from the alert's pool, or the action waits.
        if (!await budget.TryTakeAsync(alert, cancellationToken))
        {
            var (pool, limit) = budget.PoolOf(alert.Severity);
            details["pool"] = pool;
            details["why"] = $"the guard rail allows {limit} automatic containments per {options.Period.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min" +
                (pool == ContainmentBudget.SharedPool ? string.Empty : $" at severity {pool}");
            await HoldAsync(alert, rule.Action, reason, details, cancellationToken);
            return;
        }

        // 3. The action, then its record on the alert; an action that contained nothing gives its budget back.
        string result;
        var contained = true;
        try
        {
            (contained, result) = rule.Action switch
            {
                ResponseAction.Quarantine => await actions.QuarantineAsync(alert.DeviceId, reason, cancellationToken)
                    ? (true, "quarantined") : (false, "not quarantined: the device is not active"),
                ResponseAction.Disconnect => await actions.DisconnectAsync(alert.DeviceId, reason, cancellationToken)
                    ? (true, "disconnected") : (false, "not disconnected: no live session"),
                ResponseAction.TightenLimits => await actions.TightenLimitsAsync(alert.DeviceId, alert.Id, reason, cancellationToken)
                    ? (true, $"limits tightened to {options.Tightened.MessagesPerSecond.ToString(CultureInfo.InvariantCulture)} messages/s, {options.Tightened.BytesPerSecond.ToString(CultureInfo.InvariantCulture)} bytes/s")
                    : (false, "limits not tightened: they are tightened already"),
                _ => (true, $"revoked {string.Join(", ", await actions.RevokeAsync(alert.DeviceId, reason, cancellationToken))}"),
            };
        }
        catch (FleetException exception)
        {
            (contained, result) = (false, $"{action} failed: {exception.Message}");
        }

        if (!contained)
        {
            await budget.ReturnAsync(alert.Id, cancellationToken);
        }

        meter?.Containments.Add(1, new KeyValuePair<string, object?>("action", action));
        await alerts.RecordResponseAsync(alert.Id, action, result, details, cancellationToken);
    }

    private async Task HoldAsync(Alert alert, ResponseAction action, string reason, Dictionary<string, string> details, CancellationToken cancellationToken)
    {
        var name = Name(action);
        var waits = $"held: {name} waits for a person";
        if (action == ResponseAction.Revoke && approvals is not null)
        {
            var request = new HeldRevocation.Request(alert.DeviceId, alert.Id, reason);
            var filed = await approvals.RequestAsync(HeldRevocation.OperationName, HeldRevocation.Payload(request),
                $"revoke the certificates of device {alert.DeviceId} for alert {alert.Id} ({alert.Detector}, {alert.Severity.ToString().ToLowerInvariant()})",
                HeldRevocation.Requester, cancellationToken);
            details["approval"] = filed.Id.ToString(CultureInfo.InvariantCulture);
            waits = $"held: revoke waits for a second person (four-eyes: rampart approvals approve {filed.Id})";
        }

        meter?.Held.Add(1, new KeyValuePair<string, object?>("action", name));
        await alerts.RecordResponseAsync(alert.Id, "held", waits, details, cancellationToken);
    }

    private static string Name(ResponseAction action) => action == ResponseAction.TightenLimits ? "tighten-limits" : action.ToString().ToLowerInvariant();
}
