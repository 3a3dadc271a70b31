using Rampart.Fleet.Audit;
using Rampart.Updates.Rollouts;

namespace Rampart.Fleet.Updates;

/// <summary>
/// Rollouts, their devices, and the firmware devices report. Every audited change (creation, state,
/// wave, a device's result) takes the audit writer's transaction (<see cref="IAuditLog.CommitAsync{T}"/>),
/// so it commits with its entry or not at all; unaudited moves (notified, progress reports) and firmware
/// reports are single statements of their own.
/// </summary>
public interface IRolloutStore
{
    /// <summary>Stores a rollout with its planned devices inside <paramref name="transaction"/>; returns its id.</summary>
    Task<long> CreateAsync(IStoreTransaction transaction, Rollout rollout, IReadOnlyList<RolloutDevice> devices, CancellationToken cancellationToken);

    /// <summary>The rollout, or null.</summary>
    Task<Rollout?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Rollouts, newest first, optionally only in these states.</summary>
    Task<IReadOnlyList<Rollout>> ListAsync(IReadOnlyCollection<RolloutState>? states, int limit, CancellationToken cancellationToken);

    /// <summary>Moves the rollout to <paramref name="to"/> only from one of <paramref name="from"/>, inside <paramref name="transaction"/>; false otherwise.</summary>
    Task<bool> TrySetStateAsync(IStoreTransaction transaction, long id, IReadOnlyCollection<RolloutState> from, RolloutState to, string? reason, CancellationToken cancellationToken);

    /// <summary>Opens wave <paramref name="wave"/> inside <paramref name="transaction"/>, only if the rollout is running at an earlier wave; false otherwise.</summary>
    Task<bool> TryOpenWaveAsync(IStoreTransaction transaction, long id, int wave, CancellationToken cancellationToken);

    /// <summary>Device counts by state, for waves up to and including <paramref name="throughWave"/> (all when null).</summary>
    Task<RolloutCounts> CountAsync(long id, int? throughWave, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> pending devices in waves up to <paramref name="throughWave"/>, in plan order.</summary>
    Task<IReadOnlyList<string>> PendingAsync(long id, int throughWave, int limit, CancellationToken cancellationToken);

    /// <summary>Devices notified before <paramref name="notifiedBefore"/> that have not finished.</summary>
    Task<IReadOnlyList<string>> OverdueAsync(long id, DateTimeOffset notifiedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Moves a device only from one of <paramref name="from"/>; false otherwise. Moving to notified records the time. For unaudited moves.</summary>
    Task<bool> TryMoveDeviceAsync(
        long id, string deviceId, IReadOnlyCollection<RolloutDeviceState> from, RolloutDeviceState to, string? detail, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The same move inside <paramref name="transaction"/>, for a move that is audited (a device's result).</summary>
    Task<bool> TryMoveDeviceAsync(
        IStoreTransaction transaction, long id, string deviceId, IReadOnlyCollection<RolloutDeviceState> from, RolloutDeviceState to, string? detail, CancellationToken cancellationToken);

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

    /// <summary>The rollouts that planned <paramref name="deviceId"/>, newest first, each with the device's place and result in it (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<(Rollout Rollout, RolloutDevice Device)>> DeviceRolloutsAsync(string deviceId, int limit, CancellationToken cancellationToken);
}
