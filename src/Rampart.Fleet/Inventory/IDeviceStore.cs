using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Inventory;

/// <summary>The inventory's storage. Changes run inside an audited transaction (<see cref="IAuditLog.CommitAsync{T}"/>).</summary>
public interface IDeviceStore
{
    /// <summary>Adds the device; false when the id exists (retired ids included: ids are never reused).</summary>
    Task<bool> TryAddAsync(IStoreTransaction transaction, Device device, CancellationToken cancellationToken);

    /// <summary>The device, or null.</summary>
    Task<Device?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>A page of devices in id order.</summary>
    Task<IReadOnlyList<Device>> ListAsync(DeviceQuery query, CancellationToken cancellationToken);

    /// <summary>Moves the device to <paramref name="to"/> only from one of <paramref name="from"/>; false otherwise.</summary>
    Task<bool> TryChangeStateAsync(IStoreTransaction transaction, string id, IReadOnlyCollection<DeviceState> from, DeviceState to, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records the firmware the node knows the device runs (a rollout's update that succeeded with the
    /// release it offered); false when there is no such device. Leaves the state's time alone: it is
    /// when the device was last quarantined or released, which the release check reads.
    /// </summary>
    Task<bool> SetFirmwareVersionAsync(IStoreTransaction transaction, string id, string version, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the device to inventory zone <paramref name="zone"/> (issue 18: between zones) unless it is retired; false
    /// when there is no such device or it is retired. Leaves the state's time alone, like <see cref="SetFirmwareVersionAsync"/>.
    /// </summary>
    Task<bool> SetZoneAsync(IStoreTransaction transaction, string id, string zone, CancellationToken cancellationToken);
}
