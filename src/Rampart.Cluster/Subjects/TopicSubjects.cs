using System.Security.Cryptography;
using System.Text;
using Rampart.Mqtt.Topics;

namespace Rampart.Cluster.Subjects;

/// <summary>
/// MQTT topic names and filters as NATS subjects (docs/scale-out.md, "Cluster fabric (NATS)").
/// Each topic level becomes one subject token under <c>PREFIX.m</c>: <c>/</c> ↔ <c>.</c>,
/// <c>+</c> ↔ <c>*</c>, <c>#</c> ↔ <c>&gt;</c>. What NATS gives another meaning or refuses in a token
/// is escaped as <c>~XX</c> (upper-case hex of each UTF-8 byte): <c>.</c> <c>*</c> <c>&gt;</c>
/// <c>~</c> <c>$</c>, space and every other byte outside printable ASCII; an empty level is a lone
/// <c>~</c> (NATS refuses empty tokens). So the mapping is one-to-one and reversible.
/// <para>
/// Matching on NATS is made a superset of MQTT's and the receiving broker matches exactly:
/// <c>a/#</c> also matches <c>a</c> in MQTT (§4.7.1.2), so it becomes two subjects (<c>a</c> and
/// <c>a.&gt;</c>); <c>#</c> and <c>+</c> in the first level do not match <c>$</c> topics in MQTT
/// (§4.7.2) but do on NATS — the broker drops those.
/// </para>
/// </summary>
public static class TopicSubjects
{
    /// <summary>
    /// Longest subject sent (bytes). nats-server refuses a control line above 4096 bytes and closes the
    /// connection, so a topic whose subject would be longer stays on its node (counted, logged).
    /// </summary>
    public const int MaximumSubjectLength = 3000;

    private const char Escape = '~';

    /// <summary>The subject a message on <paramref name="topic"/> is published to.</summary>
    public static string ForTopic(string prefix, string topic)
    {
        var builder = new StringBuilder(prefix.Length + topic.Length + 8).Append(prefix).Append(".m");
        foreach (var level in topic.Split('/'))
        {
            AppendToken(builder.Append('.'), level);
        }

        return builder.ToString();
    }

    /// <summary>The subjects a node subscribes to for the plain filter <paramref name="filter"/> (one, or two for a trailing <c>#</c>).</summary>
    public static IReadOnlyList<string> ForFilter(string prefix, string filter)
    {
        var levels = filter.Split('/');
        var builder = new StringBuilder(prefix.Length + filter.Length + 8).Append(prefix).Append(".m");
        for (var i = 0; i < levels.Length; i++)
        {
            builder.Append('.');
            switch (levels[i])
            {
                case "+":
                    builder.Append('*');
                    break;
                case "#" when i == levels.Length - 1:
                    // §4.7.1.2: "a/#" matches "a" too; NATS ">" needs at least one more token.
                    var parent = i == 0 ? null : builder.ToString(0, builder.Length - 1);
                    builder.Append('>');
                    return parent is null ? [builder.ToString()] : [parent, builder.ToString()];
                default:
                    AppendToken(builder, levels[i]);
                    break;
            }
        }

        return [builder.ToString()];
    }

    /// <summary>The topic a subject of <see cref="ForTopic"/> stands for; false for anything else.</summary>
    public static bool TryParseTopic(string prefix, string subject, out string topic)
    {
        topic = string.Empty;
        var head = prefix + ".m.";
        if (!subject.StartsWith(head, StringComparison.Ordinal))
        {
            return false;
        }

        var levels = new List<string>();
        foreach (var token in subject[head.Length..].Split('.'))
        {
            if (!TryUnescape(token, out var level))
            {
                return false;
            }

            levels.Add(level);
        }

        // Only the canonical spelling is accepted, so each topic has exactly one subject.
        topic = string.Join('/', levels);
        return MqttTopics.IsValidTopicName(topic) && string.Equals(ForTopic(prefix, topic), subject, StringComparison.Ordinal);
    }

    /// <summary>
    /// The NATS queue group of the shared subscription <c>$share/G/F</c>: one per group and filter
    /// (5.0 §4.8.2 — a group is named by both), hashed because a queue name may not hold every
    /// character a group name may.
    /// </summary>
    public static string QueueGroup(string prefix, string sharedFilter)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sharedFilter));
        return prefix + ".share." + Convert.ToHexString(hash, 0, 12);
    }

    private static void AppendToken(StringBuilder builder, string level)
    {
        if (level.Length == 0)
        {
            builder.Append(Escape);
            return;
        }

        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < level.Length; i++)
        {
            var c = level[i];
            if (c is > ' ' and < (char)0x7F and not ('.' or '*' or '>' or '~' or '$'))
            {
                builder.Append(c);
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < level.Length
                ? Encoding.UTF8.GetBytes(level.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(level.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append(Escape).Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static bool TryUnescape(string token, out string level)
    {
        level = string.Empty;
        if (token == "~")
        {
            return true;
        }

        if (token.Length == 0)
        {
            return false;
        }

        var bytes = new List<byte>(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] != Escape)
            {
                if (token[i] > 0x7F)
                {
                    return false;
                }

                bytes.Add((byte)token[i]);
                continue;
            }

            if (!IsUpperHex(token, i + 1) || !IsUpperHex(token, i + 2))
            {
                return false;
            }

            bytes.Add(Convert.FromHexString(token.AsSpan(i + 1, 2))[0]);
            i += 2;
        }

        try
        {
            level = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsUpperHex(string token, int index) => index < token.Length && token[index] is (>= '0' and <= '9') or (>= 'A' and <= 'F');
}
