namespace Rampart.Cluster.Fabric;

/// <summary>
/// Which filters the other nodes' sessions hold (and this node's shared subscriptions, which NATS queue
/// groups serve even for local members), as the nodes announce them on <c>PREFIX.ctl.interest</c>: a node
/// forwards a local message to NATS only when some node wants it, so a node whose traffic stays local
/// does not pay for sending every message to NATS (and, with backpressure, is not held to NATS's pace).
/// <para>
/// Until the state can be trusted — for one <see cref="WarmUp"/> after start and after every NATS
/// reconnect, while the other nodes answer the sync request with their full sets — every message is
/// forwarded, as before. A node's set is replaced by each snapshot it sends (every
/// <c>InterestSnapshotInterval</c> of its own) and forgotten when nothing came from it for three of
/// those intervals (a node killed with -9); a node restarted under the same id (a new instance) starts from nothing.
/// </para>
/// </summary>
internal sealed class RemoteInterest(TimeProvider time, TimeSpan warmUp)
{
    private readonly Lock _lock = new();
    private readonly FilterTrie _all = new();
    private readonly Dictionary<string, NodeFilters> _nodes = new(StringComparer.Ordinal);
    private long _trustedFrom = long.MaxValue;
    private long _generation;

    /// <summary>How long after start or a reconnect every message is forwarded regardless.</summary>
    public TimeSpan WarmUp => warmUp;

    /// <summary>Changes whenever the answer of <see cref="Wants"/> may have changed (cache key).</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Distinct filters other nodes hold (and local shared ones).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Start or reconnect: forward everything until the other nodes' snapshots had time to arrive.</summary>
    public void Untrusted()
    {
        Interlocked.Exchange(ref _trustedFrom, (time.GetUtcNow() + WarmUp).UtcTicks);
        Interlocked.Increment(ref _generation);
    }

    /// <summary>True while every message is forwarded (the warm-up after start or reconnect).</summary>
    public bool Warming => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _trustedFrom);

    /// <summary>True when some node wants messages on <paramref name="topic"/>.</summary>
    public bool Wants(string topic)
    {
        lock (_lock)
        {
            return _all.Matches(topic);
        }
    }

    /// <summary>
    /// One filter added or dropped by <paramref name="node"/> (its start <paramref name="instance"/>); false when
    /// the node already holds <paramref name="maximum"/> filters and this one is ignored.
    /// </summary>
    public bool Apply(string node, string instance, TimeSpan interval, string filter, bool added, int maximum)
    {
        lock (_lock)
        {
            var filters = NodeOf(node, instance, interval);
            if (added && filters.Filters.Count >= maximum && !filters.Filters.Contains(filter))
            {
                return false;
            }

            if (added ? filters.Filters.Add(filter) : filters.Filters.Remove(filter))
            {
                if (added)
                {
                    _all.Add(Plain(filter));
                }
                else
                {
                    _all.Remove(Plain(filter));
                }
            }

            filters.Seen = time.GetUtcNow();
        }

        Interlocked.Increment(ref _generation);
        return true;
    }

    /// <summary>The whole set of <paramref name="node"/>, replacing what it announced before.</summary>
    public void Replace(string node, string instance, TimeSpan interval, IReadOnlyCollection<string> snapshot)
    {
        lock (_lock)
        {
            var filters = NodeOf(node, instance, interval);
            foreach (var gone in filters.Filters.Where(filter => !snapshot.Contains(filter)).ToArray())
            {
                filters.Filters.Remove(gone);
                _all.Remove(Plain(gone));
            }

            foreach (var filter in snapshot)
            {
                if (filters.Filters.Add(filter))
                {
                    _all.Add(Plain(filter));
                }
            }

            filters.Seen = time.GetUtcNow();
        }

        Interlocked.Increment(ref _generation);
    }

    /// <summary>Forgets <paramref name="node"/> (it said it leaves) — unless a newer start of it announced since.</summary>
    public void Forget(string node, string instance)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node, out var filters) && filters.Instance == instance)
            {
                Remove(node, filters);
            }
        }

        Interlocked.Increment(ref _generation);
    }

    /// <summary>Forgets the nodes no announcement came from for three of their own snapshot intervals, except <paramref name="self"/>.</summary>
    public void Expire(string self)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var (node, filters) in _nodes.Where(pair => pair.Key != self && pair.Value.Seen < now - 3 * pair.Value.Interval).ToArray())
            {
                Remove(node, filters);
            }
        }

        Interlocked.Increment(ref _generation);
    }

    private void Remove(string node, NodeFilters filters)
    {
        _nodes.Remove(node);
        foreach (var filter in filters.Filters)
        {
            _all.Remove(Plain(filter));
        }
    }

    // A node announces its filters as its sessions hold them; a shared one ($share/G/F) is wanted for what F matches.
    private static string Plain(string filter) => Rampart.Mqtt.Topics.MqttTopics.TryParseShared(filter, out _, out var inner) ? inner : filter;

    // The node's entry for this start of it: a new instance (the node restarted) starts from nothing.
    private NodeFilters NodeOf(string node, string instance, TimeSpan interval)
    {
        if (_nodes.TryGetValue(node, out var filters) && filters.Instance != instance)
        {
            Remove(node, filters);
            filters = null;
        }

        if (filters is null)
        {
            _nodes[node] = filters = new NodeFilters(instance);
        }

        filters.Interval = interval;
        return filters;
    }

    private sealed class NodeFilters(string instance)
    {
        public string Instance { get; } = instance;

        public HashSet<string> Filters { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset Seen { get; set; }

        public TimeSpan Interval { get; set; }
    }
}
