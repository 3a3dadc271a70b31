namespace Rampart.Updates.Rollouts;

/// <summary>Rollouts, their devices, and the firmware devices report; every change is one transaction.</summary>
public interface IRolloutStore
{
    /// <summary>Stores a rollout with its planned devices in one transaction; returns its id.</summary>
    Task<long> CreateAsync(Rollout rollout, IReadOnlyList<RolloutDevice> devices, CancellationToken cancellationToken);

    /// <summary>The rollout, or null.</summary>
    Task<Rollout?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Rollouts, newest first, optionally only in these states.</summary>
    Task<IReadOnlyList<Rollout>> ListAsync(IReadOnlyCollection<RolloutState>? states, int limit, CancellationToken cancellationToken);

    /// <summary>Moves the rollout to <paramref name="to"/> only from one of <paramref name="from"/>; false otherwise.</summary>
    Task<bool> TrySetStateAsync(long id, IReadOnlyCollection<RolloutState> from, RolloutState to, string? reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Opens the next wave.</summary>
    Task SetCurrentWaveAsync(long id, int wave, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Device counts by state, for waves up to and including <paramref name="throughWave"/> (all when null).</summary>
    Task<RolloutCounts> CountAsync(long id, int? throughWave, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> pending devices in waves up to <paramref name="throughWave"/>, in plan order.</summary>
    Task<IReadOnlyList<string>> PendingAsync(long id, int throughWave, int limit, CancellationToken cancellationToken);

    /// <summary>Devices notified before <paramref name="notifiedBefore"/> that have not finished.</summary>
    Task<IReadOnlyList<string>> OverdueAsync(long id, DateTimeOffset notifiedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Moves a device only from one of <paramref name="from"/>; false otherwise. Moving to notified records the time.</summary>
    Task<bool> TryMoveDeviceAsync(
        long id, string deviceId, IReadOnlyCollection<RolloutDeviceState> from, RolloutDeviceState to, string? detail, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The device's place in the rollout, or null.</summary>
    Task<RolloutDevice?> DeviceAsync(long id, string deviceId, CancellationToken cancellationToken);

    /// <summary>A page of the rollout's devices in id order, optionally in one state.</summary>
    Task<IReadOnlyList<RolloutDevice>> DevicesAsync(long id, RolloutDeviceState? state, string? after, int limit, CancellationToken cancellationToken);

    /// <summary>Devices with an unfinished place in a running or paused rollout.</summary>
    Task<IReadOnlySet<string>> BusyDevicesAsync(CancellationToken cancellationToken);

    /// <summary>Records what a device reports it runs.</summary>
    Task RecordFirmwareAsync(string deviceId, ReportedFirmware firmware, CancellationToken cancellationToken);

    /// <summary>What each device last reported it runs (all devices when <paramref name="deviceIds"/> is null).</summary>
    Task<IReadOnlyDictionary<string, ReportedFirmware>> ReportedFirmwareAsync(IReadOnlyCollection<string>? deviceIds, CancellationToken cancellationToken);
}
