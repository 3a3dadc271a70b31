namespace Rampart.Adapters.Links;

/// <summary>
/// Where <see cref="HeldCommands"/> keeps commands between a device's links (migration 0034, both
/// providers): in the node's database, so a restart or the device's next link on another node of the
/// cluster still delivers them. Each operation is atomic on its own.
/// </summary>
public interface IHeldCommandStore
{
    /// <summary>
    /// Appends <paramref name="commands"/> after those held for <paramref name="deviceId"/>, then drops the
    /// oldest beyond <paramref name="perDevice"/>. A device holding none is not added when
    /// <paramref name="maxDevices"/> devices hold commands already. Returns the commands dropped.
    /// </summary>
    Task<int> HoldAsync(string deviceId, IReadOnlyList<DeviceCommand> commands, DateTimeOffset expires, int perDevice, int maxDevices, CancellationToken cancellationToken);

    /// <summary>Removes and returns every command held for <paramref name="deviceId"/>, oldest first, with its expiry.</summary>
    Task<IReadOnlyList<(DeviceCommand Command, DateTimeOffset Expires)>> TakeAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends one command as <see cref="HoldAsync"/> does, in one transaction with the per-device trim, and
    /// returns its sequence (null when the device bound refused it) and the commands the trim dropped.
    /// </summary>
    Task<(long? Seq, int Dropped)> KeepAsync(string deviceId, DeviceCommand command, DateTimeOffset expires, int perDevice, int maxDevices, CancellationToken cancellationToken);

    /// <summary>Every command held for <paramref name="deviceId"/>, oldest first, with its row; nothing is removed.</summary>
    Task<IReadOnlyList<(DeviceCommand Command, HeldMark Mark)>> PeekAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Deletes the row <paramref name="mark"/> when it is still there and unexpired at <paramref name="now"/>; true when this call deleted it (taken once).</summary>
    Task<bool> ClaimAsync(string deviceId, HeldMark mark, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the commands expired by <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Commands held for <paramref name="deviceId"/> now.</summary>
    Task<int> CountAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Devices with commands held now.</summary>
    Task<int> DevicesAsync(CancellationToken cancellationToken);
}
