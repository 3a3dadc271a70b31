using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// The last retained message per topic (§3.3.1.3), bounded in count. With <see cref="Track"/> on, the
/// topics set or cleared here since the last <see cref="TakeChanges"/> are remembered, latest per topic,
/// for the host to write behind (a burst on one topic costs one write per interval).
/// </summary>
/// <remarks>
/// In a cluster every node keeps every retained message, and two nodes may set one topic at the same
/// moment, each hearing the other's after its own. So that all keep the same last value, each set or
/// clearing carries a version, <see cref="MqttMessage.RetainedAt"/>, stamped once by the node that took
/// the PUBLISH: the later of its clock and just after the version it holds for the topic (so a set made
/// after seeing a value always supersedes it, whatever the clocks), and a copy from another node is
/// taken only when its version is later than what is held (last writer wins; equal times are ordered
/// by sender, then payload, the same way on every node). A clearing is remembered for
/// <see cref="ClearingMemory"/> so an older value arriving late does not come back.
/// </remarks>
internal sealed class RetainedMessages(int maximum, TimeProvider time)
{
    /// <summary>How long a clearing's version is kept against a late copy of an older value (fabric delivery takes milliseconds).</summary>
    public static readonly TimeSpan ClearingMemory = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, MqttMessage> _byTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _clearedAt = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Dictionary<string, RetainedChange>? _changes;

    // Topics another node set or cleared since the last BeginRestore: what this node heard over the
    // fabric is at least as new as a store read that began before it, so a load does not undo it.
    private readonly HashSet<string> _heard = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byTopic.Count;
            }
        }
    }

    /// <summary>Starts remembering changes for <see cref="TakeChanges"/>.</summary>
    public void Track()
    {
        lock (_lock)
        {
            _changes ??= new Dictionary<string, RetainedChange>(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Stores or (empty payload, §3.3.1.3) clears; false when a new topic would exceed the bound.
    /// <paramref name="tracked"/>: a change to write behind (false for one another node set and writes itself).
    /// </summary>
    /// A change made here (<paramref name="tracked"/> true) is stamped with its version first; one from
    /// another node older than what is held is ignored (true: it was not refused for room).
    public bool Set(MqttMessage message, bool tracked = true)
    {
        lock (_lock)
        {
            var held = HeldVersion(message.Topic);
            if (tracked)
            {
                var now = time.GetUtcNow();
                message.StampRetainedAt(held is { } version && version >= now ? version.AddTicks(1) : now);
            }
            else if (held is not null && !Supersedes(message, message.Topic))
            {
                return true;
            }

            if (message.Payload.IsEmpty)
            {
                // Recorded even when not held here: the store may hold the topic (set before a restart, or by another node).
                _byTopic.Remove(message.Topic);
                RememberClearing(message);
                Changed(message.Topic, null, tracked, message.RetainedAt);
                return true;
            }

            if (_byTopic.Count >= maximum && !_byTopic.ContainsKey(message.Topic))
            {
                return false;
            }

            _byTopic[message.Topic] = message;
            _clearedAt.Remove(message.Topic);
            Changed(message.Topic, message, tracked, message.RetainedAt);
            return true;
        }
    }

    // Under the lock: the version of the topic's held value or remembered clearing.
    private DateTimeOffset? HeldVersion(string topic) =>
        _byTopic.TryGetValue(topic, out var held) ? held.RetainedAt ?? DateTimeOffset.MinValue
        : _clearedAt.TryGetValue(topic, out var cleared) ? cleared
        : null;

    // Under the lock: whether a copy from another node is later than what is held for its topic. A copy
    // without a version (a node from before versions) is taken, as it always was.
    private bool Supersedes(MqttMessage copy, string topic)
    {
        if (copy.RetainedAt is not { } at)
        {
            return true;
        }

        if (_byTopic.TryGetValue(topic, out var held))
        {
            var order = at.UtcTicks.CompareTo((held.RetainedAt ?? DateTimeOffset.MinValue).UtcTicks);
            if (order == 0)
            {
                // The same instant on two nodes: any order works if every node picks the same one. A
                // clearing wins over a set (as below, where the clearing is the one held).
                if (copy.Payload.IsEmpty)
                {
                    return true;
                }

                order = string.CompareOrdinal(copy.SenderClientId, held.SenderClientId);
                order = order != 0 ? order : copy.Payload.Span.SequenceCompareTo(held.Payload.Span);
            }

            return order > 0;
        }

        // A clearing at the same instant as a set wins: the topic ends empty everywhere.
        return !_clearedAt.TryGetValue(topic, out var cleared) || (copy.Payload.IsEmpty ? at >= cleared : at > cleared);
    }

    // Under the lock: bounded; past the bound, clearings older than ClearingMemory go first, and if
    // all are recent the new one is not remembered (a late older copy could then return, as before versions).
    private void RememberClearing(MqttMessage clearing)
    {
        if (clearing.RetainedAt is not { } at)
        {
            return;
        }

        if (_clearedAt.Count >= Math.Max(maximum, 1) && !_clearedAt.ContainsKey(clearing.Topic))
        {
            var horizon = time.GetUtcNow() - ClearingMemory;
            foreach (var old in _clearedAt.Where(pair => pair.Value < horizon).Select(pair => pair.Key).ToArray())
            {
                _clearedAt.Remove(old);
            }

            if (_clearedAt.Count >= Math.Max(maximum, 1))
            {
                return;
            }
        }

        _clearedAt[clearing.Topic] = at;
    }

    /// <summary>The changes since the last call, and forgets them.</summary>
    public List<RetainedChange> TakeChanges()
    {
        lock (_lock)
        {
            if (_changes is not { Count: > 0 } changes)
            {
                return [];
            }

            var taken = changes.Values.ToList();
            changes.Clear();
            return taken;
        }
    }

    /// <summary>Puts back changes a failed write did not store, unless the topic changed again since.</summary>
    public void Requeue(IEnumerable<RetainedChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                _changes?.TryAdd(change.Topic, change);
            }
        }
    }

    /// <summary>Call before reading the store for <see cref="Restore"/>: changes heard from here on are newer than what the read returns.</summary>
    public void BeginRestore()
    {
        lock (_lock)
        {
            _heard.Clear();
        }
    }

    /// <summary>
    /// Loads stored messages without marking them changed: a topic set or cleared here, or heard from
    /// another node, since <see cref="BeginRestore"/> keeps what it has; expired ones and those past the
    /// bound are left out. At start (<paramref name="catchUp"/> false) a topic held already is kept. A
    /// node catching up after a fabric outage (<paramref name="catchUp"/>) takes the stored value of every
    /// other topic, and, when the store returned fewer than the bound (so it returned all), forgets held
    /// topics the store no longer has (cleared or expired meanwhile). Returns how many were taken.
    /// </summary>
    public int Restore(IEnumerable<MqttMessage> messages, DateTimeOffset now, bool catchUp = false)
    {
        var taken = 0;
        lock (_lock)
        {
            var stored = new HashSet<string>(StringComparer.Ordinal);
            foreach (var message in messages)
            {
                stored.Add(message.Topic);
                if (message.Payload.IsEmpty || message.IsExpired(now) || Protected(message.Topic)
                    || (_clearedAt.TryGetValue(message.Topic, out var cleared) && (message.RetainedAt ?? DateTimeOffset.MinValue) <= cleared)
                    || (_byTopic.TryGetValue(message.Topic, out var held)
                        ? !catchUp || (held.RetainedAt is { } heldAt && message.RetainedAt is { } storedAt && storedAt <= heldAt)
                        : _byTopic.Count >= maximum))
                {
                    continue;
                }

                _byTopic[message.Topic] = message;
                taken++;
            }

            if (catchUp && stored.Count < maximum)
            {
                foreach (var topic in _byTopic.Keys.Where(topic => !stored.Contains(topic) && !Protected(topic)).ToArray())
                {
                    _byTopic.Remove(topic);
                }
            }
        }

        return taken;
    }

    // Under the lock: changed here and not written yet, or heard from another node since BeginRestore.
    private bool Protected(string topic) => (_changes?.ContainsKey(topic) ?? false) || _heard.Contains(topic);

    /// <summary>The unexpired retained messages whose topics match <paramref name="filter"/>.</summary>
    public List<MqttMessage> Matching(string filter, DateTimeOffset now)
    {
        var found = new List<MqttMessage>();
        lock (_lock)
        {
            List<string>? expired = null;
            foreach (var (topic, message) in _byTopic)
            {
                if (message.IsExpired(now))
                {
                    (expired ??= []).Add(topic);
                }
                else if (MqttTopics.Matches(filter, topic))
                {
                    found.Add(message);
                }
            }

            foreach (var topic in expired ?? [])
            {
                _byTopic.Remove(topic);
            }
        }

        return found;
    }

    private void Changed(string topic, MqttMessage? message, bool tracked, DateTimeOffset? at)
    {
        if (tracked && _changes is { } changes)
        {
            // Stored with its version, so the store keeps the same last value the nodes do.
            changes[topic] = new RetainedChange(topic, message, at ?? time.GetUtcNow());
        }
        else if (!tracked && _heard.Count < 4 * maximum)
        {
            _heard.Add(topic);
        }
    }
}

/// <summary>A retained topic set (<see cref="Message"/>) or cleared (null) at <see cref="At"/>, to write behind.</summary>
public sealed record RetainedChange(string Topic, MqttMessage? Message, DateTimeOffset At);
