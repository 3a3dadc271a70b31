namespace Rampart.Privacy.Classification;

/// <summary>
/// Finds the family of a device topic without allocating: the longest family path that is a whole
/// prefix of the levels after <c>devices/{id}/</c>. Families are few; a linear scan of spans costs
/// less than hashing the topic.
/// </summary>
public sealed class TopicClassifier
{
    private const string Prefix = "devices/";
    private readonly TopicFamily[] _byLength;

    public TopicClassifier(IEnumerable<TopicFamily> families)
    {
        _byLength = [.. families.OrderByDescending(f => f.Path.Length)];
    }

    /// <summary>Every family, longest path first.</summary>
    public IReadOnlyList<TopicFamily> Families => _byLength;

    /// <summary>The family of <paramref name="topic"/> and the device id range in it; null for a topic outside <c>devices/{id}/…</c> or in no family.</summary>
    public TopicFamily? Classify(string topic, out Range device)
    {
        device = default;
        var span = topic.AsSpan();
        if (!span.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = span[Prefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return null;
        }

        device = new Range(Prefix.Length, Prefix.Length + slash);
        var levels = rest[(slash + 1)..];
        foreach (var family in _byLength)
        {
            var path = family.Path.AsSpan();
            if (levels.StartsWith(path, StringComparison.Ordinal) && (levels.Length == path.Length || levels[path.Length] == '/'))
            {
                return family;
            }
        }

        return null;
    }
}
