namespace Rampart.Cluster.Fabric;

/// <summary>
/// Which messages of each origin node arrived lately. NATS hands a message once per matching
/// subscription, so a node subscribed to both <c>a/+</c> and <c>a/#</c> gets two copies; the first
/// is delivered to every local match, the second dropped here. Bounded: a window of the last
/// <see cref="Window"/> sequence numbers per origin, and at most <see cref="MaximumOrigins"/> origins.
/// </summary>
internal sealed class RecentMessages
{
    public const int Window = 16_384;
    public const int MaximumOrigins = 256;

    private readonly Dictionary<string, (HashSet<long> Seen, Queue<long> Order)> _byOrigin = new(StringComparer.Ordinal);
    private readonly Queue<string> _origins = new();
    private readonly Lock _lock = new();

    /// <summary>True the first time a message is seen, false for a copy.</summary>
    public bool FirstTime(string origin, long sequence)
    {
        lock (_lock)
        {
            if (!_byOrigin.TryGetValue(origin, out var recent))
            {
                if (_origins.Count >= MaximumOrigins)
                {
                    _byOrigin.Remove(_origins.Dequeue());
                }

                _byOrigin[origin] = recent = ([], new Queue<long>());
                _origins.Enqueue(origin);
            }

            if (!recent.Seen.Add(sequence))
            {
                return false;
            }

            recent.Order.Enqueue(sequence);
            if (recent.Order.Count > Window)
            {
                recent.Seen.Remove(recent.Order.Dequeue());
            }

            return true;
        }
    }
}
