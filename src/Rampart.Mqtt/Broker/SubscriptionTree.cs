using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// Subscriptions indexed by topic level (a trie over filter levels with <c>+</c> and <c>#</c>
/// children), so matching a topic visits only the branches that can match it, not every filter.
/// Shared subscriptions (<c>$share/group/filter</c>, §4.8.2) deliver each message to one member of
/// the group, in turn. Not thread-safe: the broker serialises changes and matches.
/// </summary>
/// <typeparam name="TSubscriber">Who subscribed (a session).</typeparam>
/// <typeparam name="TOptions">What they asked for (QoS, no-local, …).</typeparam>
public sealed class SubscriptionTree<TSubscriber, TOptions>
    where TSubscriber : notnull
{
    private readonly Node _root = new();
    private readonly Dictionary<TSubscriber, HashSet<string>> _bySubscriber = [];

    /// <summary>How many (subscriber, filter) pairs are held.</summary>
    public int Count { get; private set; }

    /// <summary>The filters a subscriber holds.</summary>
    public IReadOnlyCollection<string> FiltersOf(TSubscriber subscriber) =>
        _bySubscriber.TryGetValue(subscriber, out var filters) ? filters : [];

    /// <summary>The options <paramref name="subscriber"/> holds <paramref name="filter"/> with (session persistence reads them).</summary>
    public bool TryGetOptions(string filter, TSubscriber subscriber, out TOptions options)
    {
        options = default!;
        if (Walk(filter, create: false) is not { } found)
        {
            return false;
        }

        var (node, group) = found;
        var members = group is null ? node.Subscribers : node.Shared.TryGetValue(group, out var shared) ? shared.Members : null;
        return members is not null && members.TryGetValue(subscriber, out options!);
    }

    /// <summary>Adds or replaces (§3.8.4: a new SUBSCRIBE for the same filter replaces the old) a subscription; true when it is new.</summary>
    public bool Add(string filter, TSubscriber subscriber, TOptions options)
    {
        var (node, group) = Walk(filter, create: true)!.Value;
        var members = group is null ? node.Subscribers : node.Shared.TryGetValue(group, out var shared) ? shared.Members : (node.Shared[group] = new SharedGroup()).Members;
        var isNew = !members.ContainsKey(subscriber);
        members[subscriber] = options;
        if (isNew)
        {
            if (!_bySubscriber.TryGetValue(subscriber, out var filters))
            {
                _bySubscriber[subscriber] = filters = [];
            }

            filters.Add(filter);
            Count++;
        }

        return isNew;
    }

    /// <summary>Removes one subscription; true when it existed.</summary>
    public bool Remove(string filter, TSubscriber subscriber)
    {
        if (Walk(filter, create: false) is not { } found)
        {
            return false;
        }

        var (node, group) = found;
        var removed = group is null
            ? node.Subscribers.Remove(subscriber)
            : node.Shared.TryGetValue(group, out var shared) && shared.Members.Remove(subscriber);
        if (removed)
        {
            if (group is not null && node.Shared[group].Members.Count == 0)
            {
                node.Shared.Remove(group);
            }

            Prune(_root, FilterLevels(filter), 0);
            _bySubscriber[subscriber].Remove(filter);
            if (_bySubscriber[subscriber].Count == 0)
            {
                _bySubscriber.Remove(subscriber);
            }

            Count--;
        }

        return removed;
    }

    /// <summary>Removes every subscription of a subscriber (a session that ended).</summary>
    public void RemoveAll(TSubscriber subscriber)
    {
        foreach (var filter in FiltersOf(subscriber).ToArray())
        {
            Remove(filter, subscriber);
        }
    }

    /// <summary>
    /// Calls <paramref name="deliver"/> once per matching plain subscription and once per matching
    /// shared group (for the member whose turn it is). A subscriber with several matching filters is
    /// called once per filter; the broker merges them (§3.3.4).
    /// </summary>
    /// <param name="shared">False to skip shared groups (a cluster fabric serves them).</param>
    public void Match(string topic, Action<TSubscriber, TOptions> deliver, bool shared = true) =>

        // §4.7.2: filters starting with a wildcard do not match topics starting with "$".
        Visit(_root, topic, exhausted: false, 0, deliver, dollar: topic.StartsWith('$'), shared);

    /// <summary>The member of the shared subscription <paramref name="sharedFilter"/> whose turn it is; false when it has none.</summary>
    public bool TryTakeShared(string sharedFilter, out TSubscriber subscriber, out TOptions options)
    {
        if (MqttTopics.TryParseShared(sharedFilter, out _, out _) && Walk(sharedFilter, create: false) is { Group: { } group } found
            && found.Node.Shared.TryGetValue(group, out var members) && members.Members.Count > 0)
        {
            (subscriber, options) = members.Next();
            return true;
        }

        (subscriber, options) = (default!, default!);
        return false;
    }

    // Walks the levels of the topic as slices of it (this runs for every PUBLISH: nothing is allocated).
    private static void Visit(Node node, ReadOnlySpan<char> rest, bool exhausted, int depth, Action<TSubscriber, TOptions> deliver, bool dollar, bool shared)
    {
        var wildcardsAllowed = !(dollar && depth == 0);
        if (wildcardsAllowed && node.Children.TryGetValue("#", out var all))
        {
            Deliver(all, deliver, shared);
        }

        if (exhausted)
        {
            Deliver(node, deliver, shared);
            return;
        }

        var slash = rest.IndexOf('/');
        var level = slash < 0 ? rest : rest[..slash];
        var next = slash < 0 ? [] : rest[(slash + 1)..];
        if (node.ByLevel.TryGetValue(level, out var exact))
        {
            Visit(exact, next, slash < 0, depth + 1, deliver, dollar, shared);
        }

        if (wildcardsAllowed && node.Children.TryGetValue("+", out var one))
        {
            Visit(one, next, slash < 0, depth + 1, deliver, dollar, shared);
        }
    }

    private static void Deliver(Node node, Action<TSubscriber, TOptions> deliver, bool shared)
    {
        foreach (var (subscriber, options) in node.Subscribers)
        {
            deliver(subscriber, options);
        }

        if (!shared)
        {
            return;
        }

        foreach (var group in node.Shared.Values)
        {
            var (subscriber, options) = group.Next();
            deliver(subscriber, options);
        }
    }

    // Unused branches are removed, so memory follows the live subscriptions, not every filter ever seen.
    private static bool Prune(Node node, string[] levels, int depth)
    {
        if (depth < levels.Length && node.Children.TryGetValue(levels[depth], out var child) && Prune(child, levels, depth + 1))
        {
            node.Children.Remove(levels[depth]);
        }

        return node.Children.Count == 0 && node.Subscribers.Count == 0 && node.Shared.Count == 0;
    }

    private static string[] FilterLevels(string filter) =>
        (MqttTopics.TryParseShared(filter, out _, out var inner) ? inner : filter).Split('/');

    private (Node Node, string? Group)? Walk(string filter, bool create)
    {
        string? group = null;
        if (MqttTopics.TryParseShared(filter, out var shareGroup, out var inner))
        {
            (group, filter) = (shareGroup, inner);
        }

        var node = _root;
        foreach (var level in filter.Split('/'))
        {
            if (!node.Children.TryGetValue(level, out var child))
            {
                if (!create)
                {
                    return null;
                }

                node.Children[level] = child = new Node();
            }

            node = child;
        }

        return (node, group);
    }

    private sealed class Node
    {
        public Node()
        {
            ByLevel = Children.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        /// <summary>The children looked up by a slice of the topic, without making a string of it.</summary>
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> ByLevel { get; }

        public Dictionary<TSubscriber, TOptions> Subscribers { get; } = [];

        public Dictionary<string, SharedGroup> Shared { get; } = new(StringComparer.Ordinal);
    }

    private sealed class SharedGroup
    {
        private int _turn;

        public Dictionary<TSubscriber, TOptions> Members { get; } = [];

        public (TSubscriber, TOptions) Next()
        {
            var index = _turn++ % Members.Count;
            var (subscriber, options) = Members.ElementAt(index);
            return (subscriber, options);
        }
    }
}
