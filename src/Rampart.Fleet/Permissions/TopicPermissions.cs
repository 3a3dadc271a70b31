using Rampart.Mqtt.Topics;

namespace Rampart.Fleet.Permissions;

/// <summary>An identity's bound permissions: immutable, captured at connect, swapped whole (quarantine).</summary>
public sealed record TopicPermissions(IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe)
{
    /// <summary>Nothing at all.</summary>
    public static TopicPermissions None { get; } = new([], []);

    /// <summary>True when some publish filter matches the topic name.</summary>
    public bool CanPublish(string topic)
    {
        // On every PUBLISH: a plain loop, no delegate allocated per message.
        if (!MqttTopics.IsValidTopicName(topic))
        {
            return false;
        }

        foreach (var filter in Publish)
        {
            if (MqttTopics.Matches(filter, topic))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when the requested filter reaches only topics some subscribe filter covers. A plain allowed
    /// filter admits the request shared or not; a shared one (<c>$share/g/…</c>) admits only shares in group g.
    /// </summary>
    public bool CanSubscribe(string filter) =>
        MqttTopics.IsValidTopicFilter(filter) && Subscribe.Any(allowed => Admits(allowed, filter));

    private static bool Admits(string allowed, string requested)
    {
        if (MqttTopics.TryParseShared(allowed, out var group, out var inner))
        {
            return MqttTopics.TryParseShared(requested, out var requestedGroup, out var requestedInner)
                && requestedGroup == group && TopicFilters.Covers(inner, requestedInner);
        }

        return TopicFilters.Covers(allowed, TopicFilters.Reach(requested));
    }
}
