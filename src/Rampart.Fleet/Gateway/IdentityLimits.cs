namespace Rampart.Fleet.Gateway;

/// <summary>
/// The limits of one identity, shared by every connection it makes so that reconnecting resets
/// nothing (a device reconnecting in a loop gets one budget, not one per connection): its message
/// and byte buckets, the reconnect bucket, its event budget and the windowed denial and limit-hit
/// counts that decide when a connection is closed. Thread-safe: a takeover briefly has two
/// connections of one identity.
/// </summary>
public sealed class IdentityLimits
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly TokenBucket? _messages;
    private readonly TokenBucket? _bytes;
    private readonly TokenBucket? _connects;
    private readonly TokenBucket _events;
    private Tightened? _tightened;
    private long _windowStart;
    private int _denials;
    private int _limitHits;
    private int _connections;
    private long _lastUsed;

    public IdentityLimits(ClientKind kind, GatewayOptions options, TimeProvider time)
    {
        _time = time;
        _window = options.LimitWindow;
        _windowStart = time.GetTimestamp();
        _lastUsed = _windowStart;
        _events = new TokenBucket(options.EventsPerConnectionPerSecond, Math.Max(10, options.EventsPerConnectionPerSecond * 5), time);

        // Device limits; a service's load is the operator's to size, so services are not rate-limited.
        if (kind == ClientKind.Device)
        {
            _messages = new TokenBucket(options.DeviceMessagesPerSecond, options.DeviceMessageBurst, time);
            _bytes = new TokenBucket(options.DeviceBytesPerSecond, options.DeviceByteBurst, time);
            _connects = new TokenBucket(options.DeviceConnectsPerMinute / 60.0, options.DeviceConnectBurst, time);
        }
    }

    /// <summary>Connections of this identity registered now (an entry with any is never evicted).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>When the identity last used its limits (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LastUsed => Interlocked.Read(ref _lastUsed);

    /// <summary>The live override of this device's publish limits (the "tighten limits" response), or null.</summary>
    public LimitOverride? Override => Volatile.Read(ref _tightened)?.Limits;

    /// <summary>
    /// Sets or clears the override. It takes effect at the next PUBLISH of every connection of the
    /// identity (they share this object); its buckets start full, like a new connection's. Services
    /// have no publish limits and ignore it.
    /// </summary>
    public void Tighten(LimitOverride? limits)
    {
        lock (_lock)
        {
            Volatile.Write(ref _tightened, limits is null ? null : new Tightened(limits, _time));
        }
    }

    /// <summary>Charges one message of <paramref name="bytes"/>: both buckets are checked before either is charged, so a refused message costs nothing.</summary>
    public PublishBudget TryPublish(int bytes)
    {
        if (_messages is null || _bytes is null)
        {
            return PublishBudget.Within;
        }

        lock (_lock)
        {
            // A tightened identity is charged on both its override and the defaults (it can only lose).
            var tightened = _tightened;
            if (!_messages.Has(1) || (tightened is not null && !tightened.Messages.Has(1)))
            {
                return PublishBudget.MessageRate;
            }

            if (!_bytes.Has(bytes) || (tightened is not null && !tightened.Bytes.Has(bytes)))
            {
                return PublishBudget.ByteRate;
            }

            _messages.Take(1);
            _bytes.Take(bytes);
            tightened?.Messages.Take(1);
            tightened?.Bytes.Take(bytes);
            return PublishBudget.Within;
        }
    }

    /// <summary>Charges one CONNECT; false when the identity reconnects faster than its budget allows (services: always true).</summary>
    public bool TryConnect()
    {
        Touch();
        if (_connects is null)
        {
            return true;
        }

        lock (_lock)
        {
            return _connects.TryTake(1);
        }
    }

    /// <summary>Counts a denial; returns how many fell in the current window.</summary>
    public int Denied() => Count(ref _denials);

    /// <summary>Counts a rate-limit hit; returns how many fell in the current window.</summary>
    public int LimitHit() => Count(ref _limitHits);

    /// <summary>Takes one event from the identity's budget; false when the event should be counted, not stored.</summary>
    public bool TryRecordEvent()
    {
        lock (_lock)
        {
            return _events.TryTake(1);
        }
    }

    /// <summary>A connection of this identity was registered.</summary>
    public void Opened()
    {
        Interlocked.Increment(ref _connections);
        Touch();
    }

    /// <summary>A connection of this identity ended.</summary>
    public void Closed()
    {
        Interlocked.Decrement(ref _connections);
        Touch();
    }

    private sealed class Tightened(LimitOverride limits, TimeProvider time)
    {
        public LimitOverride Limits { get; } = limits;

        public TokenBucket Messages { get; } = new(limits.MessagesPerSecond, limits.MessageBurst, time);

        public TokenBucket Bytes { get; } = new(limits.BytesPerSecond, limits.ByteBurst, time);
    }

    private void Touch() => Interlocked.Exchange(ref _lastUsed, _time.GetTimestamp());

    private int Count(ref int counter)
    {
        lock (_lock)
        {
            // A fixed window per identity: counts start again once it has passed, so an identity that
            // probed long ago is not cut off at its first denial today.
            var now = _time.GetTimestamp();
            if (_time.GetElapsedTime(_windowStart, now) >= _window)
            {
                _windowStart = now;
                _denials = 0;
                _limitHits = 0;
            }

            return ++counter;
        }
    }
}

/// <summary>What an identity's publish budget says about one message.</summary>
public enum PublishBudget
{
    /// <summary>Within both budgets (charged).</summary>
    Within,

    /// <summary>Over the message rate.</summary>
    MessageRate,

    /// <summary>Over the byte rate.</summary>
    ByteRate,
}
