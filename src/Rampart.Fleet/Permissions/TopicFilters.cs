using Rampart.Mqtt.Topics;

namespace Rampart.Fleet.Permissions;

/// <summary>Whether one topic filter's reach lies inside another's (used to judge SUBSCRIBE requests).</summary>
public static class TopicFilters
{
    /// <summary>
    /// True when every topic <paramref name="requested"/> can match is matched by <paramref name="allowed"/>:
    /// level by level, <c>#</c> in the allowed filter covers the rest; <c>+</c> covers one level that is a
    /// literal or <c>+</c>; a requested <c>#</c> is covered only by an allowed <c>#</c>.
    /// </summary>
    public static bool Covers(string allowed, string requested)
    {
        // §4.7.2: a leading wildcard does not match topics starting with "$", so it cannot grant them.
        if (requested.StartsWith('$') && (allowed.StartsWith('+') || allowed.StartsWith('#')))
        {
            return false;
        }

        var allowedLevels = allowed.Split('/');
        var requestedLevels = requested.Split('/');
        for (var i = 0; i < allowedLevels.Length; i++)
        {
            var granted = allowedLevels[i];
            if (granted == "#")
            {
                // §4.7.1.2: "a/#" covers "a" itself and everything below, a requested "#" included.
                return true;
            }

            if (i >= requestedLevels.Length)
            {
                return false;
            }

            var asked = requestedLevels[i];
            if (asked == "#")
            {
                return false;
            }

            if (granted != "+" && granted != asked)
            {
                return false;
            }
        }

        return allowedLevels.Length == requestedLevels.Length;
    }

    /// <summary>The filter a subscription reaches: for <c>$share/group/filter</c>, the inner filter.</summary>
    public static string Reach(string filter) => MqttTopics.TryParseShared(filter, out _, out var inner) ? inner : filter;
}
