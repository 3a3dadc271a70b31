using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// The last retained message per topic (§3.3.1.3), bounded in count. With <see cref="Track"/> on, the
/// topics set or cleared here since the last <see cref="TakeChanges"/> are remembered, latest per topic,
/// for the host to write behind (a burst on one topic costs one write per interval).
/// </summary>
internal sealed class RetainedMessages(int maximum, TimeProvider time)
{
    private readonly Dictionary<string, MqttMessage> _byTopic = new(StringComparer.Ordinal);
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
    public bool Set(MqttMessage message, bool tracked = true)
    {
        lock (_lock)
        {
            if (message.Payload.IsEmpty)
            {
                // Recorded even when not held here: the store may hold the topic (set before a restart, or by another node).
                _byTopic.Remove(message.Topic);
                Changed(message.Topic, null, tracked);
                return true;
            }

            if (_byTopic.Count >= maximum && !_byTopic.ContainsKey(message.Topic))
            {
                return false;
            }

            _byTopic[message.Topic] = message;
            Changed(message.Topic, message, tracked);
            return true;
        }
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
                    || (_byTopic.ContainsKey(message.Topic) ? !catchUp : _byTopic.Count >= maximum))
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

    private void Changed(string topic, MqttMessage? message, bool tracked)
    {
        if (tracked && _changes is { } changes)
        {
            changes[topic] = new RetainedChange(topic, message, time.GetUtcNow());
        }
        else if (!tracked && _heard.Count < 4 * maximum)
        {
            _heard.Add(topic);
        }
    }
}

/// <summary>A retained topic set (<see cref="Message"/>) or cleared (null) at <see cref="At"/>, to write behind.</summary>
public sealed record RetainedChange(string Topic, MqttMessage? Message, DateTimeOffset At);
