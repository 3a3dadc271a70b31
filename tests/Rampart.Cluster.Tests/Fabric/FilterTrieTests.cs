using Rampart.Cluster.Fabric;
using Rampart.Mqtt.Topics;

namespace Rampart.Cluster.Tests.Fabric;

/// <summary>The announced-interest trie answers exactly as MQTT's matching rules (MqttTopics.Matches, §4.7) would over every filter it holds.</summary>
public sealed class FilterTrieTests
{
    private static readonly string[] Levels = ["a", "b", "$sys", "", "+", "#"];

    [Fact]
    public void A_topic_matches_the_trie_exactly_when_it_matches_one_of_its_filters_by_the_mqtt_rules()
    {
        var random = new Random(4242);
        for (var round = 0; round < 200; round++)
        {
            var trie = new FilterTrie();
            var held = new List<string>();
            for (var i = 0; i < random.Next(1, 8); i++)
            {
                var filter = RandomFilter(random);
                trie.Add(filter);
                held.Add(filter);
            }

            // Drop some again: a filter held twice stays until both holders are gone.
            foreach (var filter in held.Where(_ => random.Next(3) == 0).ToArray())
            {
                Assert.True(trie.Remove(filter));
                held.Remove(filter);
            }

            for (var i = 0; i < 50; i++)
            {
                var topic = RandomTopic(random);
                Assert.True(held.Any(filter => MqttTopics.Matches(filter, topic)) == trie.Matches(topic),
                    $"topic '{topic}' against [{string.Join(", ", held)}]");
            }

            Assert.Equal(held.Distinct().Count(), trie.Count);
        }
    }

    [Fact]
    public void The_parent_level_matches_a_trailing_hash_and_a_dollar_topic_matches_no_leading_wildcard()
    {
        var trie = new FilterTrie();
        trie.Add("devices/#");
        trie.Add("+/status");
        Assert.True(trie.Matches("devices"));
        Assert.True(trie.Matches("devices/d1/telemetry/t"));
        Assert.True(trie.Matches("x/status"));
        Assert.False(trie.Matches("$SYS/status"));
        Assert.False(trie.Matches("x/status/more"));
        Assert.False(trie.Remove("nothing/held"));
        Assert.True(trie.Remove("devices/#"));
        Assert.False(trie.Matches("devices/d1"));
        Assert.Equal(1, trie.Count);
    }

    private static string RandomFilter(Random random)
    {
        var levels = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Levels[random.Next(Levels.Length)]).ToList();
        var hash = levels.IndexOf("#");
        return string.Join('/', hash >= 0 ? levels[..(hash + 1)] : levels);
    }

    private static string RandomTopic(Random random) =>
        string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(i => Levels[random.Next(4)]));
}
