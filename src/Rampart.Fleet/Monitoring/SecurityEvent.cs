namespace Rampart.Fleet.Monitoring;

/// <summary>Something security-relevant that happened, for detectors, alerts and SIEM export.</summary>
/// <param name="Kind">Dotted name: <c>enrollment.refused</c>, <c>certificate.issued</c>, …</param>
/// <param name="DeviceId">The device concerned, when known (claimed ids are marked as such in details).</param>
/// <param name="Source">The remote address, when the event came over the network.</param>
public sealed record SecurityEvent(
    DateTimeOffset Time,
    string Kind,
    SecuritySeverity Severity,
    string? DeviceId,
    string? Source,
    IReadOnlyDictionary<string, string> Details);
