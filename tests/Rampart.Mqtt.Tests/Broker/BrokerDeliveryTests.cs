using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Tests.Broker;

public sealed class BrokerDeliveryTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    internal static PublishPacket Message(string topic, string payload, MqttQualityOfService qos = MqttQualityOfService.AtMostOnce, ushort id = 0, bool retain = false, MqttProperties? properties = null) =>
        new() { Topic = topic, Payload = Encoding.UTF8.GetBytes(payload), QoS = qos, PacketId = id, Retain = retain, Properties = properties ?? MqttProperties.Empty };

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_QoS0_message_reaches_a_matching_subscriber_and_not_others(MqttProtocolVersion version)
    {
        await using var broker = new BrokerHarness();
        var subscriber = await broker.ConnectAsync("sub", version);
        var other = await broker.ConnectAsync("other", version);
        var publisher = await broker.ConnectAsync("pub", version);
        Assert.Equal([MqttReasonCode.Success], (await subscriber.SubscribeAsync(1, new TopicSubscription("a/+/c", MqttQualityOfService.AtMostOnce))).ReasonCodes);
        await other.SubscribeAsync(1, new TopicSubscription("x/#", MqttQualityOfService.AtMostOnce));

        await publisher.SendAsync(Message("a/b/c", "hello"));

        var received = await subscriber.ExpectAsync<PublishPacket>();
        Assert.Equal("a/b/c", received.Topic);
        Assert.Equal("hello", Encoding.UTF8.GetString(received.Payload.Span));
        Assert.True(await other.NothingWithinAsync(Quiet));
    }

    [Fact]
    public async Task QoS1_is_acknowledged_to_the_publisher_and_delivered_at_the_lower_of_both_QoS()
    {
        await using var broker = new BrokerHarness();
        var at1 = await broker.ConnectAsync("at1");
        var at0 = await broker.ConnectAsync("at0");
        var publisher = await broker.ConnectAsync("pub");
        await at1.SubscribeAsync(1, new TopicSubscription("t", MqttQualityOfService.AtLeastOnce));
        await at0.SubscribeAsync(1, new TopicSubscription("t", MqttQualityOfService.AtMostOnce));

        await publisher.SendAsync(Message("t", "m", MqttQualityOfService.AtLeastOnce, id: 7));

        var ack = await publisher.ExpectAsync<PublishResponsePacket>();
        Assert.Equal((MqttPacketType.PubAck, (ushort)7, MqttReasonCode.Success), (ack.Kind, ack.PacketId, ack.ReasonCode));
        var one = await at1.ExpectAsync<PublishPacket>();
        Assert.Equal(MqttQualityOfService.AtLeastOnce, one.QoS);
        Assert.NotEqual(0, one.PacketId);
        var zero = await at0.ExpectAsync<PublishPacket>();
        Assert.Equal(MqttQualityOfService.AtMostOnce, zero.QoS);
    }

    [Fact]
    public async Task The_in_flight_window_follows_the_clients_receive_maximum_and_opens_on_PUBACK()
    {
        await using var broker = new BrokerHarness();
        var subscriber = await broker.ConnectAsync("sub", receiveMaximum: 2);
        var publisher = await broker.ConnectAsync("pub");
        await subscriber.SubscribeAsync(1, new TopicSubscription("t", MqttQualityOfService.AtLeastOnce));
        for (ushort i = 1; i <= 5; i++)
        {
            await publisher.SendAsync(Message("t", $"m{i}", MqttQualityOfService.AtLeastOnce, id: i));
        }

        var first = await subscriber.ExpectAsync<PublishPacket>();
        var second = await subscriber.ExpectAsync<PublishPacket>();
        Assert.True(await subscriber.NothingWithinAsync(Quiet), "a third message went out with two unacknowledged");

        await subscriber.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, first.PacketId));
        var third = await subscriber.ExpectAsync<PublishPacket>();
        Assert.Equal(["m1", "m2", "m3"], new[] { first, second, third }.Select(p => Encoding.UTF8.GetString(p.Payload.Span)));
    }

    [Fact]
    public async Task QoS2_inbound_is_routed_once_even_when_the_publisher_resends_before_PUBREL()
    {
        await using var broker = new BrokerHarness();
        var subscriber = await broker.ConnectAsync("sub");
        var publisher = await broker.ConnectAsync("pub");
        await subscriber.SubscribeAsync(1, new TopicSubscription("t", MqttQualityOfService.ExactlyOnce));

        await publisher.SendAsync(Message("t", "once", MqttQualityOfService.ExactlyOnce, id: 9));
        Assert.Equal(MqttPacketType.PubRec, (await publisher.ExpectAsync<PublishResponsePacket>()).Kind);
        await publisher.SendAsync(Message("t", "once", MqttQualityOfService.ExactlyOnce, id: 9) with { Duplicate = true });
        Assert.Equal(MqttPacketType.PubRec, (await publisher.ExpectAsync<PublishResponsePacket>()).Kind);
        await publisher.SendAsync(new PublishResponsePacket(MqttPacketType.PubRel, 9));
        var complete = await publisher.ExpectAsync<PublishResponsePacket>();
        Assert.Equal((MqttPacketType.PubComp, MqttReasonCode.Success), (complete.Kind, complete.ReasonCode));

        // Outbound QoS 2: PUBLISH, PUBREC from the client, PUBREL from the broker, PUBCOMP.
        var delivered = await subscriber.ExpectAsync<PublishPacket>();
        Assert.Equal(MqttQualityOfService.ExactlyOnce, delivered.QoS);
        await subscriber.SendAsync(new PublishResponsePacket(MqttPacketType.PubRec, delivered.PacketId));
        var release = await subscriber.ExpectAsync<PublishResponsePacket>();
        Assert.Equal((MqttPacketType.PubRel, delivered.PacketId), (release.Kind, release.PacketId));
        await subscriber.SendAsync(new PublishResponsePacket(MqttPacketType.PubComp, delivered.PacketId));
        Assert.True(await subscriber.NothingWithinAsync(Quiet), "the duplicate was delivered twice");
    }

    [Fact]
    public async Task A_retained_message_goes_to_later_subscribers_with_the_retain_flag_until_an_empty_one_clears_it()
    {
        await using var broker = new BrokerHarness();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("state/d1", "on", retain: true));
        await publisher.SendAsync(new PingReqPacket());
        await publisher.ExpectAsync<PingRespPacket>();

        var late = await broker.ConnectAsync("late");
        await late.SubscribeAsync(1, new TopicSubscription("state/+", MqttQualityOfService.AtLeastOnce));
        var retained = await late.ExpectAsync<PublishPacket>();
        Assert.True(retained.Retain);
        Assert.Equal("on", Encoding.UTF8.GetString(retained.Payload.Span));

        var never = await broker.ConnectAsync("never");
        await never.SubscribeAsync(1, new TopicSubscription("state/+", MqttQualityOfService.AtMostOnce, RetainHandling: RetainHandling.DoNotSend));
        Assert.True(await never.NothingWithinAsync(Quiet));

        await publisher.SendAsync(Message("state/d1", string.Empty, retain: true));
        await publisher.SendAsync(new PingReqPacket());
        await publisher.ExpectAsync<PingRespPacket>();
        var cleared = await broker.ConnectAsync("cleared");
        await cleared.SubscribeAsync(1, new TopicSubscription("state/+", MqttQualityOfService.AtMostOnce));
        Assert.True(await cleared.NothingWithinAsync(Quiet));
        Assert.Equal(0, broker.Broker.RetainedCount);
    }

    [Fact]
    public async Task Retain_handling_1_sends_retained_messages_only_for_a_new_subscription()
    {
        await using var broker = new BrokerHarness();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("r", "x", retain: true));
        await publisher.SendAsync(new PingReqPacket());
        await publisher.ExpectAsync<PingRespPacket>();
        var subscriber = await broker.ConnectAsync("sub");
        var request = new TopicSubscription("r", MqttQualityOfService.AtMostOnce, RetainHandling: RetainHandling.SendAtSubscribeIfNew);

        await subscriber.SubscribeAsync(1, request);
        Assert.True((await subscriber.ExpectAsync<PublishPacket>()).Retain);
        await subscriber.SubscribeAsync(2, request);
        Assert.True(await subscriber.NothingWithinAsync(Quiet));
    }

    [Fact]
    public async Task No_local_keeps_a_clients_own_messages_from_it_and_retain_as_published_keeps_the_flag()
    {
        await using var broker = new BrokerHarness();
        var client = await broker.ConnectAsync("self");
        await client.SubscribeAsync(1, new TopicSubscription("mine", MqttQualityOfService.AtMostOnce, NoLocal: true));
        await client.SubscribeAsync(2, new TopicSubscription("flag", MqttQualityOfService.AtMostOnce, RetainAsPublished: true));
        await client.SendAsync(Message("mine", "echo?"));
        await client.SendAsync(Message("flag", "kept", retain: true));

        var received = await client.ExpectAsync<PublishPacket>();
        Assert.Equal("flag", received.Topic);
        Assert.True(received.Retain);
        Assert.True(await client.NothingWithinAsync(Quiet));
    }

    [Fact]
    public async Task Overlapping_subscriptions_deliver_once_with_the_highest_QoS_and_every_subscription_identifier()
    {
        await using var broker = new BrokerHarness();
        var client = await broker.ConnectAsync("sub");
        await client.SendAsync(new SubscribePacket(1, [new TopicSubscription("a/#", MqttQualityOfService.AtMostOnce)]) { Properties = new MqttProperties { SubscriptionIdentifiers = [11] } });
        await client.ExpectAsync<SubAckPacket>();
        await client.SendAsync(new SubscribePacket(2, [new TopicSubscription("a/b", MqttQualityOfService.AtLeastOnce)]) { Properties = new MqttProperties { SubscriptionIdentifiers = [22] } });
        await client.ExpectAsync<SubAckPacket>();
        var publisher = await broker.ConnectAsync("pub");

        await publisher.SendAsync(Message("a/b", "x", MqttQualityOfService.AtLeastOnce, id: 1));

        var received = await client.ExpectAsync<PublishPacket>();
        Assert.Equal(MqttQualityOfService.AtLeastOnce, received.QoS);
        Assert.Equal([11u, 22u], received.Properties.SubscriptionIdentifiers.Order());
        Assert.True(await client.NothingWithinAsync(Quiet));
    }

    [Fact]
    public async Task A_shared_subscription_gives_each_message_to_one_member_in_turn()
    {
        await using var broker = new BrokerHarness();
        var first = await broker.ConnectAsync("w1");
        var second = await broker.ConnectAsync("w2");
        await first.SubscribeAsync(1, new TopicSubscription("$share/workers/jobs/#", MqttQualityOfService.AtMostOnce));
        await second.SubscribeAsync(1, new TopicSubscription("$share/workers/jobs/#", MqttQualityOfService.AtMostOnce));
        var publisher = await broker.ConnectAsync("pub");

        for (var i = 0; i < 4; i++)
        {
            await publisher.SendAsync(Message("jobs/x", $"{i}"));
        }

        var one = new[] { await first.ExpectAsync<PublishPacket>(), await first.ExpectAsync<PublishPacket>() };
        var two = new[] { await second.ExpectAsync<PublishPacket>(), await second.ExpectAsync<PublishPacket>() };
        Assert.Equal(4, one.Concat(two).Select(p => Encoding.UTF8.GetString(p.Payload.Span)).Distinct().Count());
        Assert.True(await first.NothingWithinAsync(Quiet));
    }

    [Fact]
    public async Task A_topic_alias_set_once_stands_for_its_topic_and_an_unknown_alias_ends_the_connection()
    {
        await using var broker = new BrokerHarness();
        var subscriber = await broker.ConnectAsync("sub");
        await subscriber.SubscribeAsync(1, new TopicSubscription("long/topic/name", MqttQualityOfService.AtMostOnce));
        var publisher = await broker.ConnectAsync("pub");

        await publisher.SendAsync(Message("long/topic/name", "1", properties: new MqttProperties { TopicAlias = 3 }));
        await publisher.SendAsync(Message(string.Empty, "2", properties: new MqttProperties { TopicAlias = 3 }));
        Assert.Equal("long/topic/name", (await subscriber.ExpectAsync<PublishPacket>()).Topic);
        var second = await subscriber.ExpectAsync<PublishPacket>();
        Assert.Equal(("long/topic/name", (ushort?)null), (second.Topic, second.Properties.TopicAlias));

        await publisher.SendAsync(Message(string.Empty, "3", properties: new MqttProperties { TopicAlias = 4 }));
        var closing = await publisher.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.ProtocolError, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
    }

    [Fact]
    public async Task A_topic_alias_above_the_announced_maximum_is_refused_with_0x94()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { TopicAliasMaximum = 2 });
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("t", "x", properties: new MqttProperties { TopicAlias = 3 }));
        var closing = await publisher.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.TopicAliasInvalid, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
    }

    [Fact]
    public async Task Request_response_and_user_properties_are_forwarded_and_the_expiry_counts_down()
    {
        var clock = new Rampart.Testing.ManualTimeProvider();
        await using var broker = new BrokerHarness(time: clock);
        var subscriber = await broker.ConnectAsync("sub", cleanStart: false, sessionExpiry: 600);
        await subscriber.SubscribeAsync(1, new TopicSubscription("rr", MqttQualityOfService.AtLeastOnce));
        await subscriber.DisposeAsync();
        var publisher = await broker.ConnectAsync("pub");
        var properties = new MqttProperties
        {
            ResponseTopic = "replies/pub", CorrelationData = new byte[] { 1, 2 }, ContentType = "text/plain", MessageExpiryInterval = 100,
            UserProperties = [new UserProperty("trace", "abc")],
        };
        await publisher.SendAsync(Message("rr", "q", MqttQualityOfService.AtLeastOnce, id: 1, properties: properties));
        await publisher.ExpectAsync<PublishResponsePacket>();

        clock.Advance(TimeSpan.FromSeconds(40));
        var back = await broker.ConnectAsync("sub", cleanStart: false, sessionExpiry: 600);
        var received = await back.ExpectAsync<PublishPacket>();
        Assert.Equal("replies/pub", received.Properties.ResponseTopic);
        Assert.Equal(new byte[] { 1, 2 }, received.Properties.CorrelationData!.Value.ToArray());
        Assert.Equal("text/plain", received.Properties.ContentType);
        Assert.Equal([new UserProperty("trace", "abc")], received.Properties.UserProperties);
        Assert.Equal(60u, received.Properties.MessageExpiryInterval);
    }

    [Fact]
    public async Task A_message_that_expired_while_the_session_was_offline_is_not_delivered()
    {
        var clock = new Rampart.Testing.ManualTimeProvider();
        await using var broker = new BrokerHarness(time: clock);
        var subscriber = await broker.ConnectAsync("sub", cleanStart: false, sessionExpiry: 600, receiveMaximum: 1);
        await subscriber.SubscribeAsync(1, new TopicSubscription("e", MqttQualityOfService.AtLeastOnce));
        await subscriber.DisposeAsync();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("e", "short", MqttQualityOfService.AtLeastOnce, id: 1, properties: new MqttProperties { MessageExpiryInterval = 10 }));
        await publisher.SendAsync(Message("e", "long", MqttQualityOfService.AtLeastOnce, id: 2, properties: new MqttProperties { MessageExpiryInterval = 1000 }));
        await publisher.ExpectAsync<PublishResponsePacket>();
        await publisher.ExpectAsync<PublishResponsePacket>();

        clock.Advance(TimeSpan.FromSeconds(30));
        var back = await broker.ConnectAsync("sub", cleanStart: false, sessionExpiry: 600, receiveMaximum: 1);
        Assert.Equal("long", Encoding.UTF8.GetString((await back.ExpectAsync<PublishPacket>()).Payload.Span));
    }

    [Fact]
    public async Task A_message_larger_than_the_clients_maximum_packet_size_is_not_sent_to_it()
    {
        await using var broker = new BrokerHarness();
        var small = await broker.ConnectAsync("small", maximumPacketSize: 64);
        await small.SubscribeAsync(1, new TopicSubscription("t", MqttQualityOfService.AtLeastOnce));
        var publisher = await broker.ConnectAsync("pub");

        await publisher.SendAsync(Message("t", new string('x', 200), MqttQualityOfService.AtLeastOnce, id: 1));
        await publisher.SendAsync(Message("t", "fits", MqttQualityOfService.AtLeastOnce, id: 2));

        Assert.Equal("fits", Encoding.UTF8.GetString((await small.ExpectAsync<PublishPacket>()).Payload.Span));
        Assert.Contains("small dropped larger-than-client-maximum-packet-size", broker.Observed);
    }

    [Fact]
    public async Task The_broker_refuses_a_packet_larger_than_its_maximum_with_0x95()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumPacketSize = 1024 });
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("t", new string('x', 2000)));
        var closing = await publisher.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.PacketTooLarge, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
    }
}
