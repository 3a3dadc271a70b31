namespace Rampart.Cluster.Fabric;

/// <summary>
/// A counted set of plain MQTT filters, matched against a topic in one walk of its levels (MQTT 5.0
/// §4.7: <c>+</c> one level, <c>#</c> this level and all below it, parent included; a leading wildcard
/// does not match a <c>$</c> topic, §4.7.2). One filter per device (<c>devices/ID/commands/#</c>) makes
/// tens of thousands of entries, so matching never scans them. Not thread-safe: the owner locks.
/// </summary>
internal sealed class FilterTrie
{
    private readonly Level _root = new();

    /// <summary>Distinct filters held.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one holder of <paramref name="filter"/>.</summary>
    public void Add(string filter)
    {
        var level = _root;
        foreach (var name in filter.Split('/'))
        {
            level = level.Child(name, create: true)!;
        }

        if (level.Holders++ == 0)
        {
            Count++;
        }
    }

    /// <summary>Removes one holder of <paramref name="filter"/>; false when it held none.</summary>
    public bool Remove(string filter)
    {
        var path = new List<(Level Parent, string Name)>();
        var level = _root;
        foreach (var name in filter.Split('/'))
        {
            var next = level.Child(name, create: false);
            if (next is null)
            {
                return false;
            }

            path.Add((level, name));
            level = next;
        }

        if (level.Holders == 0)
        {
            return false;
        }

        if (--level.Holders == 0)
        {
            Count--;

            // Prune empty branches so a churning fleet does not leave a trie of dead levels behind.
            for (var i = path.Count - 1; i >= 0 && path[i].Parent.Child(path[i].Name, create: false) is { IsEmpty: true }; i--)
            {
                path[i].Parent.RemoveChild(path[i].Name);
            }
        }

        return true;
    }

    /// <summary>True when some held filter matches <paramref name="topic"/>.</summary>
    public bool Matches(string topic)
    {
        var levels = topic.Split('/');
        return Match(_root, levels, 0, dollar: topic.StartsWith('$'));
    }

    private static bool Match(Level level, string[] levels, int index, bool dollar)
    {
        var wildcardsAllowed = !(dollar && index == 0);
        if (wildcardsAllowed && level.Hash is { Holders: > 0 })
        {
            return true;
        }

        if (index == levels.Length)
        {
            return level.Holders > 0;
        }

        if (level.Named?.TryGetValue(levels[index], out var named) == true && Match(named, levels, index + 1, dollar))
        {
            return true;
        }

        return wildcardsAllowed && level.Plus is { } plus && Match(plus, levels, index + 1, dollar);
    }

    private sealed class Level
    {
        public Dictionary<string, Level>? Named { get; private set; }

        public Level? Plus { get; private set; }

        public Level? Hash { get; private set; }

        public int Holders { get; set; }

        public bool IsEmpty => Holders == 0 && Plus is null && Hash is null && Named is not { Count: > 0 };

        public Level? Child(string name, bool create)
        {
            switch (name)
            {
                case "+":
                    return Plus ??= create ? new Level() : null;
                case "#":
                    return Hash ??= create ? new Level() : null;
                default:
                    if (Named?.TryGetValue(name, out var child) == true)
                    {
                        return child;
                    }

                    if (!create)
                    {
                        return null;
                    }

                    child = new Level();
                    (Named ??= new Dictionary<string, Level>(StringComparer.Ordinal))[name] = child;
                    return child;
            }
        }

        public void RemoveChild(string name)
        {
            switch (name)
            {
                case "+":
                    Plus = null;
                    break;
                case "#":
                    Hash = null;
                    break;
                default:
                    Named?.Remove(name);
                    break;
            }
        }
    }
}
