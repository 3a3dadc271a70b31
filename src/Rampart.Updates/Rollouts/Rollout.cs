namespace Rampart.Updates.Rollouts;

/// <summary>A rollout of one release to the devices its selector chose, wave by wave.</summary>
public sealed record Rollout(
    long Id,
    string ReleaseId,
    string Selector,
    RolloutPolicy Policy,
    RolloutState State,
    string? Reason,
    int CurrentWave,
    int WaveCount,
    string CreatedBy,
    DateTimeOffset Created,
    DateTimeOffset Updated);

/// <summary>One device's place in a rollout.</summary>
public sealed record RolloutDevice(string DeviceId, int Wave, RolloutDeviceState State, string? Detail, DateTimeOffset? Notified, DateTimeOffset Updated);

/// <summary>The firmware a device last reported it runs.</summary>
public sealed record ReportedFirmware(string Version, long SecurityVersion, DateTimeOffset Reported);
