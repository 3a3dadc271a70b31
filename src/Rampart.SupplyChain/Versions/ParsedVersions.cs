using System.Collections.Concurrent;

namespace Rampart.SupplyChain.Versions;

/// <summary>
/// Parsed versions remembered by their text, so a version string compared a million times during an
/// exposure recompute is parsed once. Bounded: past <see cref="MaxEntries"/> it parses without remembering.
/// </summary>
internal sealed class ParsedVersions<T>(Func<string, T> parse)
{
    public const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<string, T> _parsed = new(StringComparer.Ordinal);
    private int _count;

    public T Get(string text)
    {
        if (_parsed.TryGetValue(text, out var known))
        {
            return known;
        }

        var parsed = parse(text);
        if (Volatile.Read(ref _count) < MaxEntries && _parsed.TryAdd(text, parsed))
        {
            Interlocked.Increment(ref _count);
        }

        return parsed;
    }
}
