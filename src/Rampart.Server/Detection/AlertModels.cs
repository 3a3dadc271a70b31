using System.Globalization;
using Rampart.Detection.Alerts;
using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;

namespace Rampart.Server.Detection;

/// <summary>An alert as the API shows it.</summary>
public sealed record AlertResponse(
    long Id, string DeviceId, string Detector, string Severity, string State, string Summary, IReadOnlyDictionary<string, string> Evidence,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Occurrences, DateTimeOffset? SuppressedUntil, string? Reason, string? ChangedBy,
    DateTimeOffset Changed, string? Response)
{
    public static AlertResponse From(Alert alert) => new(
        alert.Id, alert.DeviceId, alert.Detector, alert.Severity.ToString().ToLowerInvariant(), alert.State.ToString().ToLowerInvariant(), alert.Summary,
        alert.Evidence, alert.FirstSeen, alert.LastSeen, alert.Occurrences, alert.SuppressedUntil, alert.Reason, alert.ChangedBy, alert.Changed, alert.Response);
}

/// <summary>One alert with the device's recent windows (oldest first; metric name → value).</summary>
public sealed record AlertDetailResponse(AlertResponse Alert, IReadOnlyList<IReadOnlyDictionary<string, double>> RecentWindows);

/// <summary>A page of alerts, newest first; <c>Next</c> is the <c>before</c> of the next page.</summary>
public sealed record AlertPage(IReadOnlyList<AlertResponse> Items, long? Next);

/// <summary>Acknowledging: an optional note.</summary>
public sealed record AcknowledgeRequest(string? Note = null);

/// <summary>Suppressing: until a time (or for a number of minutes), with a reason.</summary>
public sealed record SuppressRequest(string Reason, DateTimeOffset? Until = null, int? Minutes = null);

/// <summary>A static rule as the API shows it, with where it came from.</summary>
public sealed record RuleResponse(string Name, string Source, string Metric, string Comparison, double Threshold, int Windows, string Severity,
    IReadOnlyList<string> Models, IReadOnlyList<string> Zones, IReadOnlyList<string> Tags)
{
    public static RuleResponse From(StaticRule rule, string source) => new(
        rule.Name, source, rule.Metric.Name(), rule.Comparison.Symbol(), rule.Threshold, rule.Windows, rule.Severity.ToString().ToLowerInvariant(),
        rule.Models, rule.Zones, rule.Tags);
}

internal static class WindowValues
{
    public static IReadOnlyDictionary<string, double> Named(float[] values) =>
        BehaviourMetrics.All.ToDictionary(metric => metric.Name(), metric => Math.Round((double)values[(int)metric], 2));

    public static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);
}
