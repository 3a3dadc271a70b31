using System.Globalization;
using Rampart.Detection.Alerts;
using Rampart.Fleet.Errors;

namespace Rampart.Detection.Response;

/// <summary>
/// Automated response as policy (issue 14, item 5): for an alert that opened or escalated, the first
/// matching rule's action is carried out at once — unless the guard rail's budget of automatic
/// containments in the sliding period is spent, or the action is a revocation beyond it: then the
/// action is held for a person (<c>response.held</c>) and the alert says what waits. Every action is
/// audited with its alert (<see cref="AlertService.RecordResponseAsync"/>), and the containment
/// itself carries the alert in its own audit entry (the quarantine's reason names it).
/// </summary>
public sealed class ResponseEngine(ResponseOptions options, IContainmentActions actions, AlertService alerts, TimeProvider time, DetectionMeter? meter = null)
{
    private readonly Queue<DateTimeOffset> _recent = new();
    private readonly Lock _lock = new();

    /// <summary>Containments the budget still allows now.</summary>
    public int Remaining
    {
        get
        {
            lock (_lock)
            {
                Expire(time.GetUtcNow());
                return Math.Max(0, options.MaxAutomaticContainments - _recent.Count);
            }
        }
    }

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

        var action = rule.Action.ToString().ToLowerInvariant();
        var details = new Dictionary<string, string> { ["action"] = action };
        if (!TryTakeBudget())
        {
            details["why"] = $"the guard rail allows {options.MaxAutomaticContainments} automatic containments per {options.Period.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min";
            var who = rule.Action == ResponseAction.Revoke ? "two people (four-eyes: rampart approvals)" : "a person";
            meter?.Held.Add(1, new KeyValuePair<string, object?>("action", action));
            await alerts.RecordResponseAsync(alert.Id, "held", $"held: {action} waits for {who}", details, cancellationToken);
            return;
        }

        var reason = $"alert {alert.Id} ({alert.Detector}): {alert.Summary}";
        reason = reason.Length > 512 ? reason[..512] : reason;
        string result;
        try
        {
            result = rule.Action switch
            {
                ResponseAction.Quarantine => await actions.QuarantineAsync(alert.DeviceId, reason, cancellationToken) ? "quarantined" : "not quarantined: the device is not active",
                ResponseAction.Disconnect => await actions.DisconnectAsync(alert.DeviceId, reason, cancellationToken) ? "disconnected" : "not disconnected: no live session",
                _ => $"revoked {string.Join(", ", await actions.RevokeAsync(alert.DeviceId, reason, cancellationToken))}",
            };
        }
        catch (FleetException exception)
        {
            result = $"{action} failed: {exception.Message}";
        }

        // Nothing was contained (already quarantined, no live session, a failure): the budget is given back.
        if (result.StartsWith("not ", StringComparison.Ordinal) || result.Contains(" failed: ", StringComparison.Ordinal))
        {
            ReturnBudget();
        }

        meter?.Containments.Add(1, new KeyValuePair<string, object?>("action", action));
        await alerts.RecordResponseAsync(alert.Id, action, result, details, cancellationToken);
    }

    private bool TryTakeBudget()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            Expire(now);
            if (_recent.Count >= options.MaxAutomaticContainments)
            {
                return false;
            }

            _recent.Enqueue(now);
            return true;
        }
    }

    private void ReturnBudget()
    {
        lock (_lock)
        {
            // The newest entry is this action's (the queue is in time order; any entry serves as well).
            if (_recent.Count > 0)
            {
                var kept = _recent.ToArray()[..^1];
                _recent.Clear();
                foreach (var at in kept)
                {
                    _recent.Enqueue(at);
                }
            }
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_recent.TryPeek(out var oldest) && now - oldest >= options.Period)
        {
            _recent.Dequeue();
        }
    }
}
