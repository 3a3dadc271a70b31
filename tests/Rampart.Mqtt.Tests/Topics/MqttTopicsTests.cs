using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Tests.Topics;

public sealed class MqttTopicsTests
{
    [Theory]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("#", "sport/tennis", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/tennis/+", "sport/tennis", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("#", "$SYS/broker/load", false)]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/broker/load", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    [InlineData("devices/d1/telemetry/#", "devices/d10/telemetry/t", false)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/B", false)]
    public void Filters_match_topics_as_section_4_7_describes(string filter, string topic, bool matches) =>
        Assert.Equal(matches, MqttTopics.Matches(filter, topic));

    [Theory]
    [InlineData("#", true)]
    [InlineData("sport/#", true)]
    [InlineData("+", true)]
    [InlineData("+/tennis/#", true)]
    [InlineData("sport+", false)]
    [InlineData("sport/tennis#", false)]
    [InlineData("sport/#/ranking", false)]
    [InlineData("", false)]
    [InlineData("$share/ingest/devices/+/telemetry/#", true)]
    [InlineData("$share//a", false)]
    [InlineData("$share/g+/a", false)]
    [InlineData("$share/g", false)]
    [InlineData("$share/g/", false)]
    public void Topic_filters_are_validated(string filter, bool valid) => Assert.Equal(valid, MqttTopics.IsValidTopicFilter(filter));

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("/", true)]
    [InlineData("a/+", false)]
    [InlineData("a/#", false)]
    [InlineData("", false)]
    public void Topic_names_are_validated(string topic, bool valid) => Assert.Equal(valid, MqttTopics.IsValidTopicName(topic));

    [Fact]
    public void A_shared_subscription_splits_into_group_and_filter()
    {
        Assert.True(MqttTopics.TryParseShared("$share/ingest/devices/+/telemetry/#", out var group, out var filter));
        Assert.Equal(("ingest", "devices/+/telemetry/#"), (group, filter));
    }
}
