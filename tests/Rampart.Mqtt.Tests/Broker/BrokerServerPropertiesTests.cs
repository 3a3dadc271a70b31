using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using static Rampart.Mqtt.Tests.Broker.BrokerDeliveryTests;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>What the server tells and does for MQTT 5 clients: topic aliases on what it sends, the keep-alive it imposes, the client id it assigns.</summary>
public sealed class BrokerServerPropertiesTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private static async Task<Rampart.Attack.Probes.MqttProbeClient> SubscriberAsync(BrokerHarness broker, MqttProtocolVersion version, ushort? topicAliasMaximum)
    {
        var client = broker.Open(version);
        var connAck = await client.ConnectAsync("sub", properties: version == MqttProtocolVersion.V500 ? new MqttProperties { TopicAliasMaximum = topicAliasMaximum } : null);
        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        await client.SubscribeAsync(1, new TopicSubscription("site/#", MqttQualityOfService.AtLeastOnce));
        return client;
    }

    private static async Task<List<PublishPacket>> ReceiveAsync(Rampart.Attack.Probes.MqttProbeClient client, int count)
    {
        var received = new List<PublishPacket>();
        for (var i = 0; i < count; i++)
        {
            var publish = await client.ExpectAsync<PublishPacket>();
            received.Add(publish);
            await client.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
        }

        return received;
    }

    private static async Task PublishAllAsync(BrokerHarness broker, params string[] topics)
    {
        var publisher = await broker.ConnectAsync("pub");
        for (var i = 0; i < topics.Length; i++)
        {
            await publisher.SendAsync(Message(topics[i], $"m{i}", MqttQualityOfService.AtLeastOnce, id: (ushort)(i + 1)));
            await publisher.ExpectAsync<PublishResponsePacket>();
        }
    }

    [Fact]
    public async Task Repeated_topics_go_out_as_aliases_within_the_maximum_the_client_announced()
    {
        await using var broker = new BrokerHarness();
        var subscriber = await SubscriberAsync(broker, MqttProtocolVersion.V500, topicAliasMaximum: 2);

        await PublishAllAsync(broker, "site/a/telemetry", "site/a/telemetry", "site/b", "site/c", "site/a/telemetry", "site/b");

        var received = await ReceiveAsync(subscriber, 6);
        Assert.Equal(
            [("site/a/telemetry", (ushort?)1), (string.Empty, 1), ("site/b", 2), ("site/c", null), (string.Empty, 1), (string.Empty, 2)],
            received.Select(p => (p.Topic, p.Properties.TopicAlias)));
        Assert.Equal(["m0", "m1", "m2", "m3", "m4", "m5"], received.Select(p => Encoding.UTF8.GetString(p.Payload.Span)));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500, null)]
    [InlineData(MqttProtocolVersion.V500, (ushort)0)]
    [InlineData(MqttProtocolVersion.V311, null)]
    public async Task A_client_that_announced_no_topic_aliases_and_a_3_1_1_client_always_get_full_topics(MqttProtocolVersion version, ushort? maximum)
    {
        await using var broker = new BrokerHarness();
        var subscriber = await SubscriberAsync(broker, version, maximum);

        await PublishAllAsync(broker, "site/a", "site/a");

        Assert.All(await ReceiveAsync(subscriber, 2), p => Assert.Equal(("site/a", (ushort?)null), (p.Topic, p.Properties.TopicAlias)));
    }

    [Fact]
    public async Task The_broker_sets_no_more_aliases_than_its_own_bound_whatever_the_client_allows()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { OutgoingTopicAliasMaximum = 1 });
        var subscriber = await SubscriberAsync(broker, MqttProtocolVersion.V500, topicAliasMaximum: 100);

        await PublishAllAsync(broker, "site/a", "site/b", "site/b", "site/a");

        Assert.Equal([("site/a", (ushort?)1), ("site/b", null), ("site/b", null), (string.Empty, 1)],
            (await ReceiveAsync(subscriber, 4)).Select(p => (p.Topic, p.Properties.TopicAlias)));
    }

    [Fact]
    public async Task A_message_too_large_for_the_client_does_not_set_an_alias_the_next_one_relies_on()
    {
        await using var broker = new BrokerHarness();
        var subscriber = broker.Open();
        await subscriber.ConnectAsync("sub", properties: new MqttProperties { TopicAliasMaximum = 4, MaximumPacketSize = 200 });
        await subscriber.SubscribeAsync(1, new TopicSubscription("site/#", MqttQualityOfService.AtMostOnce));
        var publisher = await broker.ConnectAsync("pub");

        await publisher.SendAsync(Message("site/a", new string('x', 500)));
        await publisher.SendAsync(Message("site/a", "small"));

        var delivered = await subscriber.ExpectAsync<PublishPacket>();
        Assert.Equal(("site/a", (ushort?)1, "small"), (delivered.Topic, delivered.Properties.TopicAlias, Encoding.UTF8.GetString(delivered.Payload.Span)));
    }

    [Fact]
    public async Task A_topic_alias_of_0_is_a_protocol_error_0x82()
    {
        await using var broker = new BrokerHarness();
        var publisher = await broker.ConnectAsync("pub");

        // 5.0 §3.3.2.3.4 [MQTT-3.3.2-8]: 0 is not a permitted alias. PUBLISH QoS 0 "a" with Topic Alias 0.
        await publisher.SendRawAsync(Convert.FromHexString("300700016103230000"));

        var closing = await publisher.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.ProtocolError, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
    }

    [Fact]
    public async Task A_keep_alive_above_the_servers_maximum_is_capped_and_the_CONNACK_says_so()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumKeepAliveSeconds = 60 });

        var capped = await broker.Open().ConnectAsync("capped", keepAlive: 120);
        var within = await broker.Open().ConnectAsync("within", keepAlive: 30);
        var old = await broker.Open(MqttProtocolVersion.V311).ConnectAsync("old", keepAlive: 120);

        Assert.Equal((ushort?)60, capped.Properties.ServerKeepAlive);
        Assert.Null(within.Properties.ServerKeepAlive);
        Assert.Null(old.Properties.ServerKeepAlive);
    }

    [Fact]
    public async Task An_empty_client_id_gets_the_id_the_host_assigned_and_the_CONNACK_names_it()
    {
        await using var broker = new BrokerHarness();
        var client = broker.Open(authenticate: connect => ConnectDecision.Accept(new BrokerHarness.Policy(broker, "svc", "service:svc"), assignedClientId: "svc-7f3a"));

        var connAck = await client.ConnectAsync(string.Empty);

        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        Assert.Equal("svc-7f3a", connAck.Properties.AssignedClientIdentifier);
        Assert.True(broker.Broker.IsConnected("svc-7f3a"));
    }

    [Fact]
    public async Task A_client_id_the_client_chose_is_kept_whatever_the_host_would_assign()
    {
        await using var broker = new BrokerHarness();
        var client = broker.Open(authenticate: connect => ConnectDecision.Accept(new BrokerHarness.Policy(broker, "mine", "service:svc"), assignedClientId: "svc-other"));

        var connAck = await client.ConnectAsync("mine");

        Assert.Null(connAck.Properties.AssignedClientIdentifier);
        Assert.True(broker.Broker.IsConnected("mine"));
        Assert.False(broker.Broker.IsConnected("svc-other"));
        Assert.True(await client.NothingWithinAsync(Quiet));
    }
}
