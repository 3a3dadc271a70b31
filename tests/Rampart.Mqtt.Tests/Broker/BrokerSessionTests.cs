using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using static Rampart.Mqtt.Tests.Broker.BrokerDeliveryTests;

namespace Rampart.Mqtt.Tests.Broker;

public sealed class BrokerSessionTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_persistent_session_keeps_subscriptions_and_queued_QoS1_messages_across_a_reconnect()
    {
        await using var broker = new BrokerHarness();
        var first = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);
        await first.SubscribeAsync(1, new TopicSubscription("cmd", MqttQualityOfService.AtLeastOnce));
        await first.SendAsync(new DisconnectPacket());
        await first.WaitClosedAsync();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("cmd", "while-away", MqttQualityOfService.AtLeastOnce, id: 1));
        await publisher.ExpectAsync<PublishResponsePacket>();

        var back = broker.Open();
        var connAck = await back.ConnectAsync("dev", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 300 });

        Assert.True(connAck.SessionPresent);
        Assert.Equal("while-away", Encoding.UTF8.GetString((await back.ExpectAsync<PublishPacket>()).Payload.Span));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_clean_start_discards_the_previous_session(MqttProtocolVersion version)
    {
        await using var broker = new BrokerHarness();
        var first = await broker.ConnectAsync("dev", version, cleanStart: false, sessionExpiry: 300);
        await first.SubscribeAsync(1, new TopicSubscription("cmd", MqttQualityOfService.AtLeastOnce));
        await first.SendAsync(new DisconnectPacket());
        await first.WaitClosedAsync();

        var clean = broker.Open(version);
        Assert.False((await clean.ConnectAsync("dev", cleanStart: true)).SessionPresent);
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("cmd", "x"));
        Assert.True(await clean.NothingWithinAsync(Quiet));
    }

    [Fact]
    public async Task An_unacknowledged_message_is_sent_again_with_DUP_when_the_session_resumes()
    {
        await using var broker = new BrokerHarness();
        var first = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);
        await first.SubscribeAsync(1, new TopicSubscription("cmd", MqttQualityOfService.AtLeastOnce));
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("cmd", "ack-me", MqttQualityOfService.AtLeastOnce, id: 1));
        var original = await first.ExpectAsync<PublishPacket>();
        await first.DisposeAsync();

        var back = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);
        var again = await back.ExpectAsync<PublishPacket>();
        Assert.True(again.Duplicate);
        Assert.Equal(original.PacketId, again.PacketId);
    }

    [Fact]
    public async Task A_second_connection_with_the_same_client_id_takes_over_and_the_first_is_told_0x8E()
    {
        await using var broker = new BrokerHarness();
        var first = await broker.ConnectAsync("dev");
        var second = broker.Open(remote: "10.0.0.2:6000");
        Assert.Equal(MqttReasonCode.Success, (await second.ConnectAsync("dev")).ReasonCode);

        var closing = await first.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.SessionTakenOver, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
        Assert.Contains("dev connected present=False over=10.0.0.1:5000", broker.Observed);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task The_will_is_published_when_the_connection_drops_and_not_after_a_normal_DISCONNECT(MqttProtocolVersion version)
    {
        await using var broker = new BrokerHarness();
        var watcher = await broker.ConnectAsync("watcher", version);
        await watcher.SubscribeAsync(1, new TopicSubscription("wills/#", MqttQualityOfService.AtLeastOnce));
        var polite = await broker.ConnectAsync("polite", version, will: new WillMessage("wills/polite", "gone"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false));
        var dropped = await broker.ConnectAsync("dropped", version, will: new WillMessage("wills/dropped", "gone"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false));

        await polite.SendAsync(new DisconnectPacket());
        await dropped.DisposeAsync();

        Assert.Equal("wills/dropped", (await watcher.ExpectAsync<PublishPacket>()).Topic);
        Assert.True(await watcher.NothingWithinAsync(Quiet));
    }

    [Fact]
    public async Task DISCONNECT_with_0x04_publishes_the_will_and_a_will_delay_is_cancelled_by_a_resume()
    {
        await using var broker = new BrokerHarness();
        var watcher = await broker.ConnectAsync("watcher");
        await watcher.SubscribeAsync(1, new TopicSubscription("wills/#", MqttQualityOfService.AtMostOnce));
        var asking = await broker.ConnectAsync("asking", will: new WillMessage("wills/asking", "bye"u8.ToArray(), MqttQualityOfService.AtMostOnce, false));
        await asking.SendAsync(new DisconnectPacket(MqttReasonCode.DisconnectWithWillMessage));
        Assert.Equal("wills/asking", (await watcher.ExpectAsync<PublishPacket>()).Topic);

        var delayed = new WillMessage("wills/delayed", "late"u8.ToArray(), MqttQualityOfService.AtMostOnce, false) { Properties = new MqttProperties { WillDelayInterval = 2 } };
        var flaky = await broker.ConnectAsync("flaky", cleanStart: false, sessionExpiry: 60, will: delayed);
        await flaky.DisposeAsync();
        await broker.ConnectAsync("flaky", cleanStart: false, sessionExpiry: 60);
        Assert.True(await watcher.NothingWithinAsync(TimeSpan.FromSeconds(2.5)), "the delayed will was published although the session resumed");

        var gone = await broker.ConnectAsync("gone", cleanStart: false, sessionExpiry: 60, will: delayed with { Topic = "wills/gone" });
        await gone.DisposeAsync();
        Assert.Equal("wills/gone", (await watcher.ExpectAsync<PublishPacket>(TimeSpan.FromSeconds(10))).Topic);
    }

    [Fact]
    public async Task A_client_silent_for_one_and_a_half_keep_alives_is_disconnected_with_0x8D()
    {
        await using var broker = new BrokerHarness();
        var client = await broker.ConnectAsync("sleepy", keepAlive: 1);
        var closing = await client.WaitClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(MqttReasonCode.KeepAliveTimeout, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
    }

    [Fact]
    public async Task A_v5_client_asking_for_no_keep_alive_is_given_the_servers_maximum()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumKeepAliveSeconds = 120 });
        var client = broker.Open();
        var connAck = await client.ConnectAsync("c", keepAlive: 0);
        Assert.Equal((ushort?)120, connAck.Properties.ServerKeepAlive);
        Assert.Equal((ushort?)100, connAck.Properties.ReceiveMaximum);
        Assert.NotNull(connAck.Properties.MaximumPacketSize);
    }

    [Fact]
    public async Task Without_CONNECT_in_time_the_connection_is_closed()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        var client = broker.Open();
        Assert.Empty(await client.WaitClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_refused_CONNECT_gets_a_CONNACK_with_the_reason_in_each_protocol_version()
    {
        await using var broker = new BrokerHarness();
        var v5 = broker.Open(authenticate: _ => ConnectDecision.Refuse(MqttReasonCode.ClientIdentifierNotValid, "wrong id"));
        var refused5 = await v5.ConnectAsync("x");
        Assert.Equal(MqttReasonCode.ClientIdentifierNotValid, refused5.ReasonCode);
        Assert.Equal("wrong id", refused5.Properties.ReasonString);

        var v3 = broker.Open(MqttProtocolVersion.V311, authenticate: _ => ConnectDecision.Refuse(MqttReasonCode.ClientIdentifierNotValid, "wrong id"));
        Assert.Equal((MqttReasonCode)0x02, (await v3.ConnectAsync("x")).ReasonCode);
        await v3.WaitClosedAsync();
    }

    [Fact]
    public async Task Denied_publishes_and_subscriptions_are_answered_per_version_and_the_message_goes_nowhere()
    {
        await using var broker = new BrokerHarness();
        broker.Forbidden.UnionWith(["secret", "secret/#"]);
        var spy = await broker.ConnectAsync("spy");
        await spy.SubscribeAsync(1, new TopicSubscription("#", MqttQualityOfService.AtLeastOnce));
        var v5 = await broker.ConnectAsync("v5");
        var v3 = await broker.ConnectAsync("v3", MqttProtocolVersion.V311);

        await v5.SendAsync(Message("secret", "x", MqttQualityOfService.AtLeastOnce, id: 1));
        Assert.Equal(MqttReasonCode.NotAuthorized, (await v5.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        Assert.Equal([MqttReasonCode.NotAuthorized, MqttReasonCode.GrantedQoS1],
            (await v5.SubscribeAsync(2, new TopicSubscription("secret/#", MqttQualityOfService.AtLeastOnce), new TopicSubscription("open", MqttQualityOfService.AtLeastOnce))).ReasonCodes);
        Assert.Equal([MqttReasonCode.UnspecifiedError], (await v3.SubscribeAsync(1, new TopicSubscription("secret/#", MqttQualityOfService.AtMostOnce))).ReasonCodes);
        await v3.SendAsync(Message("secret", "x", MqttQualityOfService.AtLeastOnce, id: 1));
        Assert.Equal(MqttPacketType.PubAck, (await v3.ExpectAsync<PublishResponsePacket>()).Kind);

        Assert.True(await spy.NothingWithinAsync(Quiet), "a denied message was routed");
    }

    [Fact]
    public async Task A_policy_that_says_disconnect_ends_the_connection_with_its_reason_code()
    {
        await using var broker = new BrokerHarness { PublishRule = (_, _) => Admission.Disconnect(MqttReasonCode.MessageRateTooHigh, "too fast") };
        var client = await broker.ConnectAsync("fast");
        await client.SendAsync(Message("t", "x"));
        var closing = await client.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.MessageRateTooHigh, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
    }

    [Fact]
    public async Task Subscriptions_beyond_the_per_client_limit_are_refused_with_quota_exceeded()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumSubscriptionsPerClient = 2 });
        var client = await broker.ConnectAsync("c");
        var suback = await client.SubscribeAsync(1,
            new TopicSubscription("a", MqttQualityOfService.AtMostOnce), new TopicSubscription("b", MqttQualityOfService.AtMostOnce),
            new TopicSubscription("c", MqttQualityOfService.AtMostOnce), new TopicSubscription("a", MqttQualityOfService.AtLeastOnce));
        Assert.Equal([MqttReasonCode.Success, MqttReasonCode.Success, MqttReasonCode.QuotaExceeded, MqttReasonCode.GrantedQoS1], suback.ReasonCodes);
    }

    [Fact]
    public async Task Topics_beyond_the_length_or_level_limit_are_refused()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumTopicLevels = 3, MaximumTopicLength = 20 });
        var client = await broker.ConnectAsync("c");
        var suback = await client.SubscribeAsync(1, new TopicSubscription("a/b/c/d", MqttQualityOfService.AtMostOnce), new TopicSubscription(new string('x', 21), MqttQualityOfService.AtMostOnce));
        Assert.Equal([MqttReasonCode.TopicFilterInvalid, MqttReasonCode.TopicFilterInvalid], suback.ReasonCodes);
        await client.SendAsync(Message("a/b/c/d", "x", MqttQualityOfService.AtLeastOnce, id: 1));
        Assert.Equal(MqttReasonCode.TopicNameInvalid, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
    }

    [Fact]
    public async Task Revalidation_drops_subscriptions_the_policy_no_longer_allows()
    {
        await using var broker = new BrokerHarness();
        var client = await broker.ConnectAsync("dev");
        await client.SubscribeAsync(1, new TopicSubscription("cmd", MqttQualityOfService.AtMostOnce), new TopicSubscription("cfg", MqttQualityOfService.AtMostOnce));
        broker.Forbidden.Add("cmd");

        Assert.Equal(1, broker.Broker.RevalidateSubscriptions("dev"));
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("cmd", "x"));
        await publisher.SendAsync(Message("cfg", "y"));
        Assert.Equal("cfg", (await client.ExpectAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task An_administrative_disconnect_tells_the_client_why_and_discards_its_session_and_will()
    {
        await using var broker = new BrokerHarness();
        var watcher = await broker.ConnectAsync("watcher");
        await watcher.SubscribeAsync(1, new TopicSubscription("wills/#", MqttQualityOfService.AtMostOnce));
        var client = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300, will: new WillMessage("wills/dev", "x"u8.ToArray(), MqttQualityOfService.AtMostOnce, false));

        Assert.True(broker.Broker.Disconnect("dev", MqttReasonCode.NotAuthorized, "certificate revoked"));

        var closing = await client.WaitClosedAsync();
        var disconnect = Assert.IsType<DisconnectPacket>(Assert.Single(closing));
        Assert.Equal((MqttReasonCode.NotAuthorized, "certificate revoked"), (disconnect.ReasonCode, disconnect.Properties.ReasonString));
        Assert.False(broker.Broker.IsConnected("dev"));
        Assert.True(await watcher.NothingWithinAsync(Quiet), "a revoked identity's will was published");
        Assert.False((await broker.ConnectAsync("dev2")).Closed);
    }

    [Fact]
    public async Task A_subscriber_that_does_not_read_loses_QoS0_messages_beyond_its_queue_not_the_broker_memory()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumOutboundQueue = 10 });
        var slow = await broker.ConnectAsync("slow");
        await slow.SubscribeAsync(1, new TopicSubscription("flood", MqttQualityOfService.AtMostOnce));
        slow.PauseReading();
        var publisher = await broker.ConnectAsync("pub");
        var payload = new string('x', 60_000);

        // The in-memory pipe pauses the writer at 64 KiB, so nearly all of these wait in the queue or are dropped.
        for (var i = 0; i < 200; i++)
        {
            await publisher.SendAsync(Message("flood", payload));
        }

        await publisher.SendAsync(new PingReqPacket());
        await publisher.ExpectAsync<PingRespPacket>();
        Assert.True(broker.Observed.Count(o => o == "slow dropped outbound-queue-full") >= 150);
        Assert.False(slow.Closed);

        // Once it reads again it gets what was queued, then live traffic.
        slow.ResumeReading();
        var received = 0;
        while (!await slow.NothingWithinAsync(TimeSpan.FromMilliseconds(300)))
        {
            received++;
        }

        Assert.InRange(received, 1, 20);
    }

    [Fact]
    public async Task Publishers_wait_for_a_subscriber_that_pauses_briefly_so_it_loses_nothing()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumOutboundQueue = 8 });
        var paused = await broker.ConnectAsync("paused");
        await paused.SubscribeAsync(1, new TopicSubscription("burst", MqttQualityOfService.AtMostOnce));
        paused.PauseReading();
        var publisher = await broker.ConnectAsync("pub");
        var payload = new string('x', 60_000);

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await publisher.SendAsync(Message("burst", payload));
            }
        });
        await Task.Delay(200);
        paused.ResumeReading();
        await sending;

        for (var i = 0; i < 40; i++)
        {
            await paused.ExpectAsync<PublishPacket>();
        }

        Assert.DoesNotContain(broker.Observed, o => o.StartsWith("paused dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QoS1_publishers_wait_for_a_subscriber_whose_session_queue_fills_so_nothing_is_dropped()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MaximumQueuedMessages = 8 });
        var subscriber = await broker.ConnectAsync("acker", receiveMaximum: 2);
        await subscriber.SubscribeAsync(1, new TopicSubscription("work", MqttQualityOfService.AtLeastOnce));
        var publisher = await broker.ConnectAsync("pub");

        var sending = Task.Run(async () =>
        {
            for (ushort i = 1; i <= 40; i++)
            {
                await publisher.SendAsync(Message("work", $"{i}", MqttQualityOfService.AtLeastOnce, id: i));
            }
        });
        await Task.Delay(200);

        var received = new List<string>();
        while (received.Count < 40)
        {
            PublishPacket publish;
            try
            {
                publish = await subscriber.ExpectAsync<PublishPacket>(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"after {received.Count} ({string.Join(",", received)}): {string.Join("; ", broker.Observed)}");
            }

            received.Add(Encoding.UTF8.GetString(publish.Payload.Span));
            await subscriber.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
        }

        await sending;
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"{i}"), received);
        Assert.DoesNotContain(broker.Observed, o => o.StartsWith("acker dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_CONNECT_is_a_protocol_error()
    {
        await using var broker = new BrokerHarness();
        var client = await broker.ConnectAsync("c");
        await client.SendAsync(new ConnectPacket { ClientId = "c" });
        var closing = await client.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.ProtocolError, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
    }
}
