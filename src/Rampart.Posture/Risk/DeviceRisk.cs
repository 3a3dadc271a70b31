namespace Rampart.Posture.Risk;

/// <summary>A device's risk as of the fleet audit run at <see cref="Assessed"/> (kept per device so lists can filter by band).</summary>
public sealed record DeviceRisk(string DeviceId, string Band, int Score, DateTimeOffset Assessed);
