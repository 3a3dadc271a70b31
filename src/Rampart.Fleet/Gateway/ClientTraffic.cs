using System.Collections.Concurrent;

namespace Rampart.Fleet.Gateway;

/// <summary>Counters of one identity's MQTT traffic since the node started. Updated with interlocked operations.</summary>
public sealed class ClientTraffic
{
    /// <summary>Source addresses remembered per identity.</summary>
    public const int MaxSources = 16;

    // A short list, not a concurrent dictionary: one per identity, so its size matters at 50,000 devices.
    private readonly List<string> _sources = new(2);
    private long _messagesIn;
    private long _bytesIn;
    private long _messagesOut;
    private long _bytesOut;
    private long _denials;
    private long _limitHits;
    private long _dropped;
    private long _connectionAttempts;
    private long _disconnects;

    public long MessagesIn => Interlocked.Read(ref _messagesIn);

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    public long AuthorizationFailures => Interlocked.Read(ref _denials);

    public long LimitHits => Interlocked.Read(ref _limitHits);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long ConnectionAttempts => Interlocked.Read(ref _connectionAttempts);

    public long Disconnects => Interlocked.Read(ref _disconnects);

    /// <summary>Addresses seen (at most <see cref="MaxSources"/>).</summary>
    public IReadOnlyCollection<string> Sources
    {
        get
        {
            lock (_sources)
            {
                return _sources.Order(StringComparer.Ordinal).ToArray();
            }
        }
    }

    public void MessageIn(int bytes)
    {
        Interlocked.Increment(ref _messagesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    public void MessageOut(int bytes)
    {
        Interlocked.Increment(ref _messagesOut);
        Interlocked.Add(ref _bytesOut, bytes);
    }

    public void Denied() => Interlocked.Increment(ref _denials);

    public void LimitHit() => Interlocked.Increment(ref _limitHits);

    public void Drop() => Interlocked.Increment(ref _dropped);

    public void Disconnected() => Interlocked.Increment(ref _disconnects);

    /// <summary>Counts a connection attempt from <paramref name="source"/> (host:port; the host is remembered).</summary>
    public void ConnectionAttempt(string source)
    {
        source = System.Net.IPEndPoint.TryParse(source, out var endPoint) ? endPoint.Address.ToString() : source;
        Interlocked.Increment(ref _connectionAttempts);
        lock (_sources)
        {
            if (_sources.Count < MaxSources && !_sources.Contains(source))
            {
                _sources.Add(source);
            }
        }
    }
}

/// <summary>Traffic counters by identity (<c>device:d1</c>, <c>service:ingest</c>), bounded to identities that authenticated.</summary>
public sealed class TrafficCounters
{
    private readonly ConcurrentDictionary<string, ClientTraffic> _byPrincipal = new(StringComparer.Ordinal);

    /// <summary>The counters of <paramref name="principal"/>, created on first use.</summary>
    public ClientTraffic For(string principal) => _byPrincipal.GetOrAdd(principal, _ => new ClientTraffic());

    /// <summary>The counters of <paramref name="principal"/>, if it ever connected.</summary>
    public ClientTraffic? Find(string principal) => _byPrincipal.GetValueOrDefault(principal);

    /// <summary>Every identity's counters (a moment's view; the console samples them once a minute for its traffic history).</summary>
    public IEnumerable<KeyValuePair<string, ClientTraffic>> All => _byPrincipal;
}
