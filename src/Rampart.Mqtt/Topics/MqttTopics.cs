namespace Rampart.Mqtt.Topics;

/// <summary>Topic names and filters (MQTT 5.0 §4.7).</summary>
public static class MqttTopics
{
    /// <summary>Prefix of a shared subscription (§4.8.2): <c>$share/{ShareName}/{filter}</c>.</summary>
    public const string SharePrefix = "$share/";

    /// <summary>A topic name for PUBLISH: at least one character, no wildcards (§4.7.3, §3.3.2.1).</summary>
    public static bool IsValidTopicName(string topic) =>
        topic.Length > 0 && topic.AsSpan().IndexOfAny('+', '#') < 0;

    /// <summary>
    /// A topic filter: at least one character; <c>#</c> only as the whole last level; <c>+</c> only as
    /// a whole level (§4.7.1); a shared subscription needs a share name without wildcards and a filter.
    /// </summary>
    public static bool IsValidTopicFilter(string filter)
    {
        if (filter.Length == 0)
        {
            return false;
        }

        if (filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            return TryParseShared(filter, out _, out var inner) && IsValidPlainFilter(inner);
        }

        return IsValidPlainFilter(filter);
    }

    /// <summary>Splits <c>$share/{group}/{filter}</c>; false when it is not a well-formed shared subscription.</summary>
    public static bool TryParseShared(string filter, out string group, out string inner)
    {
        group = inner = string.Empty;
        if (!filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = filter.AsSpan(SharePrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1 || rest[..slash].IndexOfAny('+', '#') >= 0)
        {
            return false;
        }

        group = rest[..slash].ToString();
        inner = rest[(slash + 1)..].ToString();
        return true;
    }

    /// <summary>
    /// True when <paramref name="topic"/> matches <paramref name="filter"/> (a plain filter, not
    /// <c>$share/…</c>). Topics starting with <c>$</c> are not matched by a leading wildcard (§4.7.2).
    /// </summary>
    public static bool Matches(ReadOnlySpan<char> filter, ReadOnlySpan<char> topic)
    {
        if (topic.Length > 0 && topic[0] == '$' && filter.Length > 0 && (filter[0] == '+' || filter[0] == '#'))
        {
            return false;
        }

        while (true)
        {
            var filterSlash = filter.IndexOf('/');
            var filterLevel = filterSlash < 0 ? filter : filter[..filterSlash];
            if (filterLevel is "#")
            {
                return true;
            }

            var topicSlash = topic.IndexOf('/');
            var topicLevel = topicSlash < 0 ? topic : topic[..topicSlash];
            if (filterLevel is not "+" && !filterLevel.SequenceEqual(topicLevel))
            {
                return false;
            }

            if (filterSlash < 0 || topicSlash < 0)
            {
                // Both must end together; "a/#" also matches "a" (§4.7.1.2: # includes the parent level).
                return filterSlash < 0 && topicSlash < 0 || (topicSlash < 0 && filter[(filterSlash + 1)..] is "#");
            }

            filter = filter[(filterSlash + 1)..];
            topic = topic[(topicSlash + 1)..];
        }
    }

    private static bool IsValidPlainFilter(string filter)
    {
        var span = filter.AsSpan();
        if (span.Length == 0)
        {
            return false;
        }

        var start = 0;
        while (start <= span.Length)
        {
            var end = span[start..].IndexOf('/');
            var level = end < 0 ? span[start..] : span.Slice(start, end);
            if (level.Length > 1 && level.IndexOfAny('+', '#') >= 0)
            {
                return false;
            }

            if (level is "#" && end >= 0)
            {
                return false; // # must be the last level
            }

            if (end < 0)
            {
                return true;
            }

            start += end + 1;
        }

        return true;
    }
}
