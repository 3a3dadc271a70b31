namespace Rampart.Mqtt.Codec;

/// <summary>
/// The last few topic names a connection published to, with their UTF-8 bytes: devices publish to
/// the same few topics again and again, so a repeat costs one comparison instead of a validated
/// decode and a new string. Holds only names already validated (§1.5.4 well-formed UTF-8, no U+0000).
/// </summary>
internal sealed class TopicNameCache
{
    private const int Entries = 4;

    // Longer names are decoded every time: the cache is for telemetry topics, not for holding memory.
    private const int MaximumBytes = 256;

    private readonly byte[][] _bytes = new byte[Entries][];
    private readonly string[] _names = new string[Entries];
    private int _next;

    /// <summary>The string for <paramref name="utf8"/> if it is one of the cached names.</summary>
    public string? Find(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < Entries; i++)
        {
            if (_names[i] is { } name && utf8.SequenceEqual(_bytes[i]))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Remembers a validated name, in place of the oldest.</summary>
    public void Add(ReadOnlySpan<byte> utf8, string name)
    {
        if (utf8.Length > MaximumBytes)
        {
            return;
        }

        _bytes[_next] = utf8.ToArray();
        _names[_next] = name;
        _next = (_next + 1) % Entries;
    }
}
