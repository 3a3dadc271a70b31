using System.Net;
using Rampart.Fleet.Gateway;

namespace Rampart.Adapters.Dtls;

/// <summary>
/// Bounds DTLS handshakes after the cookie exchange (which proves the source address, RFC 6347
/// §4.2.1, so these limits cannot be spent in another's name): at most <see cref="MaxConcurrent"/> at
/// once on the node, <see cref="PerSource"/> at once from one address, and a rate per address. Each
/// handshake holds a lease until it ends. Memory is bounded: the rate of at most
/// <see cref="MaxTrackedSources"/> addresses is kept, the stalest dropped first.
/// </summary>
public sealed class HandshakeLimiter(int maxConcurrent, int perSource, double perSourcePerMinute, double perSourceBurst, TimeProvider time)
{
    /// <summary>Addresses whose rate is tracked.</summary>
    public const int MaxTrackedSources = 10_000;

    private readonly Dictionary<IPAddress, (int Open, TokenBucket Rate, long LastUsed)> _sources = [];
    private readonly Lock _lock = new();
    private int _open;
    private long _refused;

    public int MaxConcurrent => maxConcurrent;

    public int PerSource => perSource;

    /// <summary>Handshakes running now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Handshakes refused by a limit since the start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>A lease for one handshake from <paramref name="address"/>, or null with the limit that refused it.</summary>
    public (IDisposable? Lease, string? Limit) TryBegin(IPAddress address)
    {
        lock (_lock)
        {
            if (_open >= maxConcurrent)
            {
                return Refuse($"the node runs its maximum of {maxConcurrent} DTLS handshakes");
            }

            if (!_sources.TryGetValue(address, out var source))
            {
                if (_sources.Count >= MaxTrackedSources)
                {
                    foreach (var stale in _sources.Where(s => s.Value.Open == 0).OrderBy(s => s.Value.LastUsed).Take(MaxTrackedSources / 10).ToArray())
                    {
                        _sources.Remove(stale.Key);
                    }
                }

                source = (0, new TokenBucket(perSourcePerMinute / 60, perSourceBurst, time), 0);
            }

            if (source.Open >= perSource)
            {
                return Refuse($"{address} runs its maximum of {perSource} DTLS handshakes");
            }

            if (!source.Rate.TryTake(1))
            {
                return Refuse($"{address} starts DTLS handshakes faster than {perSourcePerMinute}/min");
            }

            _sources[address] = (source.Open + 1, source.Rate, time.GetTimestamp());
            _open++;
            return (new Lease(this, address), null);
        }
    }

    private (IDisposable?, string?) Refuse(string limit)
    {
        Interlocked.Increment(ref _refused);
        return (null, limit);
    }

    private void End(IPAddress address)
    {
        lock (_lock)
        {
            _open--;
            if (_sources.TryGetValue(address, out var source))
            {
                _sources[address] = (Math.Max(0, source.Open - 1), source.Rate, source.LastUsed);
            }
        }
    }

    private sealed class Lease(HandshakeLimiter owner, IPAddress address) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner.End(address);
            }
        }
    }
}
