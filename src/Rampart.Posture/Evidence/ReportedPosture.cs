namespace Rampart.Posture.Evidence;

/// <summary>The last posture a device itself reported on <c>devices/{id}/state</c> (the gateway attributes it to the publisher).</summary>
public sealed record ReportedPosture(string DeviceId, string? FirmwareVersion, string? Measurement, IReadOnlyList<int> ListeningPorts, DateTimeOffset Reported);
