using Rampart.Adapters.FrontDoors;

namespace Rampart.Adapters.Links;

/// <summary>
/// Commands a device's broker link had already taken from the broker (and acknowledged: MQTT 5.0
/// §4.3.2, the broker forgets a QoS 1 message at PUBACK) when the link closed before the device
/// collected them: an HTTPS device whose link went idle between long polls, a CoAP session that
/// ended. They are kept here, per device, until its next link opens and takes them first, so a
/// command is not lost because the link that held it closed. Bounded three ways: at most
/// <c>HeldCommandsPerDevice</c> per device (the oldest dropped first, as in the link's own buffer),
/// at most <c>HeldCommandDevices</c> devices (commands of a further device are not kept, and
/// counted), and each command expires <c>HeldCommandExpiry</c> after its link closed.
/// </summary>
public sealed class HeldCommands
{
    private readonly Dictionary<string, Queue<Held>> _devices = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly AdapterOptions _options;
    private readonly TimeProvider _time;
    private long _dropped;
    private long _expired;

    public HeldCommands(AdapterOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Devices with commands held now.</summary>
    public int Devices
    {
        get
        {
            lock (_lock)
            {
                return _devices.Count;
            }
        }
    }

    /// <summary>Commands held for <paramref name="deviceId"/> now (expired ones included until the next sweep).</summary>
    public int CountFor(string deviceId)
    {
        lock (_lock)
        {
            return _devices.TryGetValue(deviceId, out var queue) ? queue.Count : 0;
        }
    }

    /// <summary>Commands not held because a bound was reached (per device, or the number of devices).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Commands that expired before their device came back.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Keeps <paramref name="commands"/> (in order, after any held already) for <paramref name="deviceId"/>.</summary>
    public void Hold(string deviceId, IReadOnlyCollection<DeviceCommand> commands)
    {
        if (commands.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (!_devices.TryGetValue(deviceId, out var queue))
            {
                if (_devices.Count >= _options.HeldCommandDevices)
                {
                    Interlocked.Add(ref _dropped, commands.Count);
                    return;
                }

                _devices[deviceId] = queue = new Queue<Held>();
            }

            var expires = _time.GetUtcNow() + _options.HeldCommandExpiry;
            foreach (var command in commands)
            {
                if (queue.Count == _options.HeldCommandsPerDevice)
                {
                    queue.Dequeue();
                    Interlocked.Increment(ref _dropped);
                }

                queue.Enqueue(new Held(command, expires));
            }
        }
    }

    /// <summary>Takes every unexpired command held for <paramref name="deviceId"/>, oldest first.</summary>
    public IReadOnlyList<DeviceCommand> Take(string deviceId)
    {
        lock (_lock)
        {
            if (!_devices.Remove(deviceId, out var queue))
            {
                return [];
            }

            var now = _time.GetUtcNow();
            var live = queue.Where(held => held.Expires > now).Select(held => held.Command).ToList();
            Interlocked.Add(ref _expired, queue.Count - live.Count);
            return live;
        }
    }

    /// <summary>Forgets expired commands, and devices left with none.</summary>
    public void Sweep()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var (deviceId, queue) in _devices.ToArray())
            {
                while (queue.Count > 0 && queue.Peek().Expires <= now)
                {
                    queue.Dequeue();
                    Interlocked.Increment(ref _expired);
                }

                if (queue.Count == 0)
                {
                    _devices.Remove(deviceId);
                }
            }
        }
    }

    private readonly record struct Held(DeviceCommand Command, DateTimeOffset Expires);
}
