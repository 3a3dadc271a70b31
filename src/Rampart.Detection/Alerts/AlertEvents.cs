using System.Globalization;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Alerts;

/// <summary>
/// The audit record and security event of an alert change. Kinds are stable (exporters and SIEM rules
/// key on them): <c>alert.opened</c>, <c>alert.escalated</c>, <c>alert.acknowledged</c>, <c>alert.resolved</c>,
/// <c>alert.suppressed</c>; automatic responses are <c>response.{action}</c> and <c>response.held</c>.
/// </summary>
public static class AlertEvents
{
    public static string KindOf(AlertChangeKind change) => "alert." + change.ToString().ToLowerInvariant();

    public static SecuritySeverity SeverityOf(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical or AlertSeverity.High => SecuritySeverity.High,
        AlertSeverity.Medium => SecuritySeverity.Warning,
        _ => SecuritySeverity.Info,
    };

    public static Dictionary<string, string> Details(Alert alert)
    {
        var details = new Dictionary<string, string>
        {
            ["alert"] = alert.Id.ToString(CultureInfo.InvariantCulture),
            ["detector"] = alert.Detector,
            ["severity"] = alert.Severity.ToString().ToLowerInvariant(),
            ["state"] = alert.State.ToString().ToLowerInvariant(),
            ["summary"] = alert.Summary,
        };
        if (alert.Reason is { } reason)
        {
            details["reason"] = reason;
        }

        if (alert.SuppressedUntil is { } until && alert.State == AlertState.Suppressed)
        {
            details["suppressed-until"] = until.ToString("O", CultureInfo.InvariantCulture);
        }

        return details;
    }

    public static AuditRecord Record(string actor, AlertChangeKind change, Alert alert) =>
        new(actor, KindOf(change), $"alert/{alert.Id}", AuditOutcome.Success, Details(alert).Append(new("device", alert.DeviceId)).ToDictionary());

    /// <summary>Most alert ids one sightings entry names (the count covers the rest).</summary>
    public const int MaxSightingsNamed = 64;

    /// <summary>One entry for a window's repeat sightings (last seen and occurrences moved on; no state changed).</summary>
    public static AuditRecord Sightings(string actor, IReadOnlyList<Alert> seen) =>
        new(actor, KindOf(AlertChangeKind.Seen), "alerts", AuditOutcome.Success, new Dictionary<string, string>
        {
            ["count"] = seen.Count.ToString(CultureInfo.InvariantCulture),
            ["alerts"] = string.Join(",", seen.Take(MaxSightingsNamed).Select(a => a.Id.ToString(CultureInfo.InvariantCulture))),
        });

    public static SecurityEvent Event(DateTimeOffset time, AlertChangeKind change, Alert alert) =>
        new(time, KindOf(change), SeverityOf(alert.Severity), alert.DeviceId, null, Details(alert));
}
