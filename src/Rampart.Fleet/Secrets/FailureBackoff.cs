namespace Rampart.Fleet.Secrets;

/// <summary>
/// Exponential backoff after repeated authentication failures, per key (a source address, a
/// claimed id). The first few failures are free; each further one doubles the wait up to a cap.
/// Memory is bounded: at most <see cref="Capacity"/> keys are tracked, the stalest dropped first.
/// </summary>
public sealed class FailureBackoff(TimeProvider time, int freeFailures, TimeSpan baseDelay, TimeSpan maximumDelay)
{
    /// <summary>Most keys tracked at once.</summary>
    public const int Capacity = 100_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long <paramref name="key"/> must still wait, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(string key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            return _entries.TryGetValue(key, out var entry) && entry.BlockedUntil > now ? entry.BlockedUntil - now : null;
        }
    }

    /// <summary>Counts a failure; returns true when this failure started (or extended) a wait.</summary>
    public bool RecordFailure(string key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (!_entries.TryGetValue(key, out var entry) || now - entry.LastFailure > maximumDelay * 2)
            {
                entry = new Entry();
                MakeRoom(now);
                _entries[key] = entry;
            }

            entry.Failures++;
            entry.LastFailure = now;
            if (entry.Failures <= freeFailures)
            {
                return false;
            }

            var exponent = Math.Min(entry.Failures - freeFailures - 1, 30);
            var delay = TimeSpan.FromTicks(Math.Min(baseDelay.Ticks * (1L << exponent), maximumDelay.Ticks));
            entry.BlockedUntil = now + delay;
            return true;
        }
    }

    /// <summary>Forgets the key's failures after a success.</summary>
    public void RecordSuccess(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        if (_entries.Count < Capacity)
        {
            return;
        }

        foreach (var stale in _entries.Where(pair => pair.Value.BlockedUntil < now && now - pair.Value.LastFailure > maximumDelay).Select(pair => pair.Key).ToArray())
        {
            _entries.Remove(stale);
        }

        if (_entries.Count >= Capacity)
        {
            foreach (var oldest in _entries.OrderBy(pair => pair.Value.LastFailure).Take(Capacity / 10).Select(pair => pair.Key).ToArray())
            {
                _entries.Remove(oldest);
            }
        }
    }

    private sealed class Entry
    {
        public int Failures { get; set; }

        public DateTimeOffset LastFailure { get; set; }

        public DateTimeOffset BlockedUntil { get; set; }
    }
}
