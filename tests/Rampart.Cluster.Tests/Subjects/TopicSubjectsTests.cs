using FsCheck;
using FsCheck.Fluent;
using Rampart.Cluster.Subjects;
using Rampart.Mqtt.Topics;

namespace Rampart.Cluster.Tests.Subjects;

public sealed class TopicSubjectsTests
{
    private const string Prefix = "rampart";
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(2000);

    [Theory]
    [InlineData("devices/d1/telemetry/t", "rampart.m.devices.d1.telemetry.t")]
    [InlineData("a.b/c d", "rampart.m.a~2Eb.c~20d")]
    [InlineData("a*/>b/~", "rampart.m.a~2A.~3Eb.~7E")]
    [InlineData("$SYS/x", "rampart.m.~24SYS.x")]
    [InlineData("a//b", "rampart.m.a.~.b")]
    [InlineData("/", "rampart.m.~.~")]
    [InlineData("température/é", "rampart.m.temp~C3~A9rature.~C3~A9")]
    public void A_topic_becomes_one_token_per_level_with_what_NATS_reads_otherwise_escaped(string topic, string subject)
    {
        Assert.Equal(subject, TopicSubjects.ForTopic(Prefix, topic));
        Assert.True(TopicSubjects.TryParseTopic(Prefix, subject, out var back));
        Assert.Equal(topic, back);
    }

    [Theory]
    [InlineData("a/+/c", new[] { "rampart.m.a.*.c" })]
    [InlineData("a/#", new[] { "rampart.m.a", "rampart.m.a.>" })]
    [InlineData("#", new[] { "rampart.m.>" })]
    [InlineData("+/x.y/#", new[] { "rampart.m.*.x~2Ey", "rampart.m.*.x~2Ey.>" })]
    public void A_filter_maps_plus_to_star_and_hash_to_the_parent_and_everything_below(string filter, string[] subjects) =>
        Assert.Equal(subjects, TopicSubjects.ForFilter(Prefix, filter));

    [Theory]
    [InlineData("rampart.m.a~41")]
    [InlineData("rampart.m.a~4")]
    [InlineData("rampart.m.a~2e")]
    [InlineData("rampart.m.a..b")]
    [InlineData("other.m.a")]
    [InlineData("rampart.m.~FF")]
    public void A_subject_that_no_topic_maps_to_is_refused(string subject) =>
        Assert.False(TopicSubjects.TryParseTopic(Prefix, subject, out _));

    [Fact]
    public void Every_topic_name_round_trips_through_its_subject() =>
        Check.One(Quick, Prop.ForAll(Topics().ToArbitrary(), topic =>
        {
            var subject = TopicSubjects.ForTopic(Prefix, topic);
            return IsValidSubject(subject) && TopicSubjects.TryParseTopic(Prefix, subject, out var back) && back == topic;
        }));

    [Fact]
    public void Every_topic_a_filter_matches_in_MQTT_is_matched_by_one_of_the_filters_subjects_in_NATS() =>
        Check.One(Quick, Prop.ForAll(TopicAndFilter().ToArbitrary(), pair =>
        {
            var (topic, filter) = pair;
            var subject = TopicSubjects.ForTopic(Prefix, topic);
            var subjects = TopicSubjects.ForFilter(Prefix, filter);
            return subjects.All(IsValidSubject) && (!MqttTopics.Matches(filter, topic) || subjects.Any(s => NatsMatches(s, subject)));
        }));

    [Fact]
    public void A_shared_subscription_gets_one_queue_group_per_group_and_filter()
    {
        var group = TopicSubjects.QueueGroup(Prefix, "$share/g/a/#");
        Assert.Equal(group, TopicSubjects.QueueGroup(Prefix, "$share/g/a/#"));
        Assert.NotEqual(group, TopicSubjects.QueueGroup(Prefix, "$share/g/a/+"));
        Assert.NotEqual(group, TopicSubjects.QueueGroup(Prefix, "$share/h/a/#"));
        Assert.DoesNotContain(' ', group);
    }

    // Levels drawn from characters that matter to either protocol, plus arbitrary text.
    private static Gen<string> Level() =>
        Gen.OneOf(
            Gen.Elements("", "a", "b", ".", "*", ">", "~", "$", " ", "~20", "é", "😀", "x.y", "$SYS"),
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => new string(s.Where(c => c is not ('/' or '+' or '#' or '\0') && !char.IsSurrogate(c)).ToArray())));

    private static Gen<string> Topics() =>
        Gen.Choose(1, 6).SelectMany(count => Gen.ArrayOf(Level(), count)).Select(levels => string.Join('/', levels)).Where(MqttTopics.IsValidTopicName);

    private static Gen<(string Topic, string Filter)> TopicAndFilter() =>
        from count in Gen.Choose(1, 5)
        from levels in Gen.ArrayOf(Level(), count)
        from masks in Gen.ArrayOf(Gen.Choose(0, 3), count)
        from cut in Gen.Choose(0, count)
        let pair = (string.Join('/', levels), Filter(levels, masks, cut))
        where MqttTopics.IsValidTopicName(pair.Item1) && MqttTopics.IsValidTopicFilter(pair.Item2)
        select pair;

    private static string Filter(string[] levels, int[] masks, int cut)
    {
        var filter = levels.Select((level, i) => masks[i] == 0 ? "+" : level).Take(Math.Max(cut, 1)).ToList();
        if (cut < levels.Length && masks[0] % 2 == 0)
        {
            filter.Add("#");
        }

        return string.Join('/', filter);
    }

    // NATS 2.9 subjects: non-empty tokens without whitespace; "*" and ">" only as whole tokens.
    private static bool IsValidSubject(string subject) =>
        subject.Split('.').All(token => token.Length > 0 && !token.Any(char.IsWhiteSpace) && (token is "*" or ">" || !token.Any(c => c is '*' or '>')));

    // NATS subject matching (the server's sublist rules), as the oracle for the superset property.
    private static bool NatsMatches(string pattern, string subject)
    {
        var p = pattern.Split('.');
        var s = subject.Split('.');
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] == ">")
            {
                return s.Length > i;
            }

            if (i >= s.Length || (p[i] != "*" && p[i] != s[i]))
            {
                return false;
            }
        }

        return p.Length == s.Length;
    }
}
