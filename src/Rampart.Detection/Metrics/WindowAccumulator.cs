using System.Numerics;
using Rampart.Fleet.Gateway;

namespace Rampart.Detection.Metrics;

/// <summary>
/// What one device did since its window opened, updated from the broker's loops, the event stream
/// and posture reports (a lock per device: devices never contend with each other). Carries across
/// windows only what a difference needs: the last traffic totals and the last boot counter and uptime.
/// </summary>
internal sealed class WindowAccumulator
{
    /// <summary>Distinct topics counted per window; past this, the count saturates.</summary>
    public const int MaxTopics = 1024;

    /// <summary>Source addresses kept per window.</summary>
    public const int MaxSources = 16;

    private const int SizeBuckets = 24;
    private const int FewTopics = 8;

    private readonly Lock _lock = new();
    private readonly int[] _sizes = new int[SizeBuckets];
    // Most devices use a few topics: those are held in a short array, a set only past it.
    private readonly int[] _fewTopics = new int[FewTopics];
    private int _topicCount;
    private HashSet<int>? _manyTopics;
    private readonly List<string> _sources = [];
    private readonly Dictionary<string, int> _events = new(StringComparer.Ordinal);
    private int _messages;
    private int _maxSize;
    private int _reboots;
    private int _openSessions;
    private DateTimeOffset _sessionSince;
    private double _sessionSeconds;
    private PostureFacts? _posture;
    private long? _lastBoot;
    private long? _lastUptime;
    private TrafficTotals _lastTotals;
    private bool _active;
    private bool _detached;

    /// <summary>Starts following a device; the traffic counters' totals so far are not this window's (the node may have followed it before).</summary>
    public WindowAccumulator(string deviceId, ClientTraffic? traffic)
    {
        DeviceId = deviceId;
        _lastTotals = Totals(traffic) ?? default;
    }

    public string DeviceId { get; }

    /// <summary>Set once the collector stopped following the device (evicted): observers holding it look it up again.</summary>
    public bool Detached
    {
        get => Volatile.Read(ref _detached);
        set => Volatile.Write(ref _detached, value);
    }

    /// <summary>Windows in a row with nothing to report and no session (for eviction).</summary>
    public int IdleWindows { get; private set; }

    public void Message(string topic, int bytes)
    {
        lock (_lock)
        {
            _active = true;
            _messages++;
            _maxSize = Math.Max(_maxSize, bytes);
            _sizes[Math.Min(SizeBuckets - 1, bytes <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(bytes - 1)))]++;
            CountTopic(topic);
        }
    }

    public void Connected(DateTimeOffset at, string? source)
    {
        lock (_lock)
        {
            _active = true;
            if (_openSessions++ == 0)
            {
                _sessionSince = at;
            }

            if (source is not null)
            {
                var host = System.Net.IPEndPoint.TryParse(source, out var endPoint) ? endPoint.Address.ToString() : source;
                if (_sources.Count < MaxSources && !_sources.Contains(host))
                {
                    _sources.Add(host);
                }
            }
        }
    }

    public void Disconnected(DateTimeOffset at)
    {
        lock (_lock)
        {
            _active = true;
            if (_openSessions > 0 && --_openSessions == 0)
            {
                _sessionSeconds += Math.Max(0, (at - _sessionSince).TotalSeconds);
            }
        }
    }

    public void Event(string kind)
    {
        lock (_lock)
        {
            _active = true;
            if (_events.Count < 16 || _events.ContainsKey(kind))
            {
                _events[kind] = _events.GetValueOrDefault(kind) + 1;
            }
        }
    }

    public void Posture(PostureFacts facts)
    {
        lock (_lock)
        {
            _active = true;

            // A restart: the boot counter went up, or (without one) the uptime went back.
            var rebooted = facts.BootCounter is { } boot
                ? _lastBoot is { } last && boot > last
                : facts.UptimeSeconds is { } uptime && _lastUptime is { } lastUptime && uptime < lastUptime;
            if (rebooted)
            {
                _reboots += facts.BootCounter is { } b && _lastBoot is { } l ? (int)Math.Min(b - l, 1000) : 1;
            }

            _lastBoot = facts.BootCounter ?? _lastBoot;
            _lastUptime = facts.UptimeSeconds ?? _lastUptime;
            _posture = facts;
        }
    }

    /// <summary>Closes the window: the values since it opened, with the traffic counters' differences; then starts the next.</summary>
    public BehaviourWindow Close(DateTimeOffset start, DateTimeOffset end, ClientTraffic? traffic)
    {
        var totals = Totals(traffic) ?? _lastTotals;
        lock (_lock)
        {
            var previous = _lastTotals;
            _lastTotals = totals;
            var sessionSeconds = _sessionSeconds + (_openSessions > 0 ? Math.Max(0, (end - (_sessionSince > start ? _sessionSince : start)).TotalSeconds) : 0);
            var active = _active || _openSessions > 0 || totals != previous;
            var window = new BehaviourWindow(DeviceId, start, end)
            {
                Sources = _sources.ToArray(),
                Posture = _posture,
                Events = new Dictionary<string, int>(_events, StringComparer.Ordinal),
                Active = active,
                [BehaviourMetric.MessagesIn] = totals.MessagesIn - previous.MessagesIn,
                [BehaviourMetric.BytesIn] = totals.BytesIn - previous.BytesIn,
                [BehaviourMetric.MessagesOut] = totals.MessagesOut - previous.MessagesOut,
                [BehaviourMetric.BytesOut] = totals.BytesOut - previous.BytesOut,
                [BehaviourMetric.AuthorizationFailures] = totals.Denials - previous.Denials,
                [BehaviourMetric.LimitHits] = totals.LimitHits - previous.LimitHits,
                [BehaviourMetric.ConnectionAttempts] = totals.Attempts - previous.Attempts,
                [BehaviourMetric.Disconnects] = totals.Disconnects - previous.Disconnects,
                [BehaviourMetric.MaxMessageBytes] = _maxSize,
                [BehaviourMetric.P95MessageBytes] = P95(),
                [BehaviourMetric.SessionSeconds] = (float)Math.Min(sessionSeconds, (end - start).TotalSeconds),
                [BehaviourMetric.DistinctTopics] = _manyTopics?.Count ?? _topicCount,
                [BehaviourMetric.ListeningPorts] = _posture?.ListeningPorts.Count ?? 0,
                [BehaviourMetric.EstablishedConnections] = _posture?.EstablishedConnections ?? 0,
                [BehaviourMetric.Destinations] = _posture?.Destinations?.Count ?? 0,
                [BehaviourMetric.Reboots] = _reboots,
            };

            IdleWindows = active ? 0 : IdleWindows + 1;
            Array.Clear(_sizes);
            _topicCount = 0;
            _manyTopics = null;
            _sources.Clear();
            _events.Clear();
            (_messages, _maxSize, _reboots, _sessionSeconds, _posture, _active) = (0, 0, 0, 0, null, false);
            if (_openSessions > 0)
            {
                _sessionSince = end;
            }

            return window;
        }
    }

    private void CountTopic(string topic)
    {
        var hash = string.GetHashCode(topic, StringComparison.Ordinal);
        if (_manyTopics is { } many)
        {
            if (many.Count < MaxTopics)
            {
                many.Add(hash);
            }

            return;
        }

        if (Array.IndexOf(_fewTopics, hash, 0, _topicCount) >= 0)
        {
            return;
        }

        if (_topicCount < FewTopics)
        {
            _fewTopics[_topicCount++] = hash;
            return;
        }

        _manyTopics = [.. _fewTopics, hash];
    }

    private static TrafficTotals? Totals(ClientTraffic? traffic) => traffic is null
        ? null
        : new TrafficTotals(traffic.MessagesIn, traffic.BytesIn, traffic.MessagesOut, traffic.BytesOut, traffic.AuthorizationFailures, traffic.LimitHits,
            traffic.ConnectionAttempts, traffic.Disconnects);

    // The upper bound of the power-of-two bucket that holds the 95th percentile of the sizes.
    private float P95()
    {
        if (_messages == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(_messages * 0.95);
        var seen = 0;
        for (var bucket = 0; bucket < SizeBuckets; bucket++)
        {
            seen += _sizes[bucket];
            if (seen >= rank)
            {
                return Math.Min(1L << bucket, _maxSize);
            }
        }

        return _maxSize;
    }
}

/// <summary>A snapshot of one identity's cumulative traffic counters.</summary>
internal readonly record struct TrafficTotals(long MessagesIn, long BytesIn, long MessagesOut, long BytesOut, long Denials, long LimitHits, long Attempts, long Disconnects);
