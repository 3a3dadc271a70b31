using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Broker;

/// <summary>The last retained message per topic (§3.3.1.3), bounded in count.</summary>
internal sealed class RetainedMessages(int maximum)
{
    private readonly Dictionary<string, MqttMessage> _byTopic = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

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

    /// <summary>Stores or (empty payload, §3.3.1.3) clears; false when a new topic would exceed the bound.</summary>
    public bool Set(MqttMessage message)
    {
        lock (_lock)
        {
            if (message.Payload.IsEmpty)
            {
                _byTopic.Remove(message.Topic);
                return true;
            }

            if (_byTopic.Count >= maximum && !_byTopic.ContainsKey(message.Topic))
            {
                return false;
            }

            _byTopic[message.Topic] = message;
            return true;
        }
    }

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
}
