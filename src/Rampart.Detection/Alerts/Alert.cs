using Rampart.Detection.Detectors;

namespace Rampart.Detection.Alerts;

/// <summary>
/// One alert: a device and a detector (deduplicated: one alert is active per pair), its lifecycle
/// state, the highest severity seen, the latest evidence, when it was first and last seen and how
/// often, and what the automatic response did.
/// </summary>
public sealed record Alert(
    long Id,
    string DeviceId,
    string Detector,
    AlertSeverity Severity,
    AlertState State,
    string Summary,
    IReadOnlyDictionary<string, string> Evidence,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    int Occurrences,
    DateTimeOffset? SuppressedUntil,
    string? Reason,
    string? ChangedBy,
    DateTimeOffset Changed,
    string? Response)
{
    /// <summary>Open, acknowledged or suppressed: a new finding of the same detector joins it.</summary>
    public bool Active => State != AlertState.Resolved;
}

/// <summary>Where an alert is in its lifecycle: open → acknowledged → resolved, or suppressed until a time.</summary>
public enum AlertState
{
    Open,
    Acknowledged,
    Resolved,
    Suppressed,
}

/// <summary>Which alerts to list.</summary>
public sealed record AlertQuery(AlertState? State = null, string? DeviceId = null, AlertSeverity? MinimumSeverity = null, long? Before = null, int Limit = 100)
{
    public const int MaxLimit = 1000;
}
