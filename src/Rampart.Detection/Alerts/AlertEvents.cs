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

    public static SecurityEvent Event(DateTimeOffset time, AlertChangeKind change, Alert alert) =>
        new(time, KindOf(change), SeverityOf(alert.Severity), alert.DeviceId, null, Details(alert));
}
