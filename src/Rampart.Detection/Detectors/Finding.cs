namespace Rampart.Detection.Detectors;

/// <summary>
/// What a detector concluded about one device in one window: which detector, how severe, a one-line
/// summary and the evidence (metric values, the baseline it was judged against, the facts or events).
/// </summary>
public sealed record Finding(string Detector, string DeviceId, AlertSeverity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence, DateTimeOffset Time);
