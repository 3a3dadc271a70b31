using Rampart.Adapters.FrontDoors;

namespace Rampart.Adapters.Links;

/// <summary>
/// Commands a device's broker link had already taken from the broker (and acknowledged: MQTT 5.0
/// §4.3.2, the broker forgets a QoS 1 message at PUBACK) when the link closed before the device
/// collected them: an HTTPS device whose link went idle between long polls, a CoAP session that
/// ended, every open link at an orderly shutdown. They are kept in the node's database
/// (<see cref="IHeldCommandStore"/>), per device, until its next link opens — on this node after a
/// restart, or on another node of the cluster — and takes them first, so a command is not lost because
/// the link that held it closed. Bounded three ways: at most <c>HeldCommandsPerDevice</c> per device
/// (the oldest dropped first, as in the link's own buffer), at most <c>HeldCommandDevices</c> devices
/// (commands of a further device are not kept, and counted), and each command expires
/// <c>HeldCommandExpiry</c> after its link closed. A store that cannot be written counts the commands
/// as failed (they are lost, as before this store existed) and the link's close goes on.
/// Write-through (issue 21): a command is also written here the moment it enters an open link's buffer
/// (<see cref="KeepAsync"/>, before the link acknowledges it to the broker), and its row is claimed
/// (<see cref="ClaimAsync"/>, one <c>DELETE</c>) when it is handed to the device, so a <c>kill -9</c> of
/// the node loses nothing the broker forgot; the close of a link then holds only the commands that have
/// no row yet. The claim comes just before the response is written (it is what makes a take once-only
/// across links and nodes): a command handed out while the store could not be reached keeps its row and
/// comes again (at-least-once); one whose claim committed in the instant before a kill, before its
/// response was written, does not.
/// </summary>
public sealed class HeldCommands(IHeldCommandStore store, AdapterOptions options, TimeProvider time)
{
    private long _dropped;
    private long _expired;
    private long _failed;

    /// <summary>Devices with commands held now.</summary>
    public Task<int> DevicesAsync(CancellationToken cancellationToken = default) => store.DevicesAsync(cancellationToken);

    /// <summary>Commands held for <paramref name="deviceId"/> now (expired ones included until the next sweep).</summary>
    public Task<int> CountForAsync(string deviceId, CancellationToken cancellationToken = default) => store.CountAsync(deviceId, cancellationToken);

    /// <summary>Commands not held because a bound was reached (per device, or the number of devices).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Commands that expired before their device came back.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Commands lost because the store could not be written or read.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Keeps <paramref name="commands"/> (in order, after any held already) for <paramref name="deviceId"/>.</summary>
    public async Task HoldAsync(string deviceId, IReadOnlyCollection<DeviceCommand> commands, CancellationToken cancellationToken = default)
    {
        if (commands.Count == 0)
        {
            return;
        }

        try
        {
            var dropped = await store.HoldAsync(deviceId, [.. commands], time.GetUtcNow() + options.HeldCommandExpiry,
                options.HeldCommandsPerDevice, options.HeldCommandDevices, cancellationToken);
            Interlocked.Add(ref _dropped, dropped);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Interlocked.Add(ref _failed, commands.Count);
        }
    }

    /// <summary>
    /// Writes <paramref name="command"/> through to the store as it enters an open link's buffer; returns it
    /// with its row, or unchanged (in memory only, as before) when a bound refused it or the store failed.
    /// </summary>
    public async Task<DeviceCommand> KeepAsync(string deviceId, DeviceCommand command, CancellationToken cancellationToken = default)
    {
        var expires = time.GetUtcNow() + options.HeldCommandExpiry;
        try
        {
            var (seq, dropped) = await store.KeepAsync(deviceId, command, expires, options.HeldCommandsPerDevice, options.HeldCommandDevices, cancellationToken);
            Interlocked.Add(ref _dropped, dropped + (seq is null ? 1 : 0));
            return seq is { } kept ? command with { Held = new HeldMark(kept, expires.ToUnixTimeMilliseconds()) } : command;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Interlocked.Increment(ref _failed);
            return command;
        }
    }

    /// <summary>The unexpired commands held for <paramref name="deviceId"/>, oldest first, with their rows (left in the store until claimed).</summary>
    public async Task<IReadOnlyList<DeviceCommand>> PendingAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            return [.. (await store.PeekAsync(deviceId, cancellationToken)).Where(row => row.Mark.ExpiresMs > now).Select(row => row.Command with { Held = row.Mark })];
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Nothing was read: the commands wait for the next link.
            return [];
        }
    }

    /// <summary>
    /// True when <paramref name="command"/> may be handed to the device now: it has no row, this call
    /// deleted its row, or the store could not be reached (at-least-once). False when another link (on this
    /// or another node) took it, or it expired.
    /// </summary>
    public async Task<bool> ClaimAsync(string deviceId, DeviceCommand command)
    {
        if (command.Held is not { } mark)
        {
            return true;
        }

        try
        {
            return await store.ClaimAsync(deviceId, mark, time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Takes every unexpired command held for <paramref name="deviceId"/>, oldest first.</summary>
    public async Task<IReadOnlyList<DeviceCommand>> TakeAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<(DeviceCommand Command, DateTimeOffset Expires)> taken;
        try
        {
            taken = await store.TakeAsync(deviceId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Nothing was taken (the delete did not commit): the commands wait for the next link.
            return [];
        }

        var now = time.GetUtcNow();
        var live = taken.Where(held => held.Expires > now).Select(held => held.Command).ToList();
        Interlocked.Add(ref _expired, taken.Count - live.Count);
        return live;
    }

    /// <summary>Forgets expired commands.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Interlocked.Add(ref _expired, await store.DeleteExpiredAsync(time.GetUtcNow(), cancellationToken));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The next sweep deletes them; an expired command is never delivered (TakeAsync checks).
        }
    }
}
