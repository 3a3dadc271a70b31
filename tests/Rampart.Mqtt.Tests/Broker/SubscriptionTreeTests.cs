using FsCheck;
using FsCheck.Fluent;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Tests.Broker;

public sealed class SubscriptionTreeTests
{
    [Fact]
    public void A_topic_reaches_exactly_the_subscribers_whose_filters_match_it() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Scenario().ToArbitrary(), scenario =>
        {
            var (filters, topic) = scenario;
            var tree = new SubscriptionTree<int, string>();
            for (var i = 0; i < filters.Length; i++)
            {
                tree.Add(filters[i], i, filters[i]);
            }

            var matched = new List<int>();
            tree.Match(topic, (subscriber, _) => matched.Add(subscriber));
            var expected = Enumerable.Range(0, filters.Length).Where(i => MqttTopics.Matches(filters[i], topic));
            return matched.Order().SequenceEqual(expected);
        }));

    [Fact]
    public void A_shared_group_delivers_each_message_to_one_member_in_turn()
    {
        var tree = new SubscriptionTree<string, int>();
        tree.Add("$share/ingest/devices/+/telemetry/#", "a", 1);
        tree.Add("$share/ingest/devices/+/telemetry/#", "b", 1);
        tree.Add("devices/#", "monitor", 0);

        var deliveries = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            tree.Match("devices/d1/telemetry/t", (subscriber, _) => deliveries.Add(subscriber));
        }

        Assert.Equal(4, deliveries.Count(d => d == "monitor"));
        Assert.Equal(2, deliveries.Count(d => d == "a"));
        Assert.Equal(2, deliveries.Count(d => d == "b"));
    }

    [Fact]
    public void Resubscribing_replaces_and_removing_forgets()
    {
        var tree = new SubscriptionTree<string, int>();

        Assert.True(tree.Add("a/b", "s", 0));
        Assert.False(tree.Add("a/b", "s", 1));
        tree.Add("a/+", "s", 2);
        var options = new List<int>();
        tree.Match("a/b", (_, o) => options.Add(o));
        tree.RemoveAll("s");
        var after = 0;
        tree.Match("a/b", (_, _) => after++);

        Assert.Equal([1, 2], options.Order());
        Assert.Equal(0, after);
        Assert.Equal(0, tree.Count);
        Assert.Empty(tree.FiltersOf("s"));
    }

    [Fact]
    public void Leading_wildcards_do_not_reach_dollar_topics()
    {
        var tree = new SubscriptionTree<string, int>();
        tree.Add("#", "all", 0);
        tree.Add("+/broker/load", "plus", 0);
        tree.Add("$SYS/#", "sys", 0);

        var matched = new List<string>();
        tree.Match("$SYS/broker/load", (s, _) => matched.Add(s));

        Assert.Equal(["sys"], matched);
    }

    private static Gen<(string[] Filters, string Topic)> Scenario()
    {
        var level = Gen.Elements("a", "b", "$x", string.Empty);
        var filterLevel = Gen.Elements("a", "b", "+", "$x", string.Empty);
        var topic = from n in Gen.Choose(1, 4) from l in level.ListOf(n) select string.Join('/', l);
        var filter = from n in Gen.Choose(1, 4)
                     from levels in filterLevel.ListOf(n)
                     from hash in Gen.Elements(true, false)
                     select string.Join('/', hash ? levels.Append("#") : levels);
        return from count in Gen.Choose(0, 12)
               from filters in filter.ArrayOf(count)
               from t in topic
               select (filters.Where(MqttTopics.IsValidTopicFilter).ToArray(), t);
    }
}
