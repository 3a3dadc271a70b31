using System.Collections.Concurrent;
using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using static Rampart.Mqtt.Tests.Broker.BrokerDeliveryTests;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>
/// Routed messages are pooled and recycled once the broker's last holder lets go (issue 12, item 5):
/// whatever still holds one — an observer, an offline session's queue, a message in flight — must see
/// it unchanged however many messages were routed since.
/// </summary>
public sealed class BrokerMessagePoolTests
{
    // Enough publishes after the held ones to cycle a small pool many times over.
    private const int Churn = 200;

    [Fact]
    public async Task A_message_an_observer_kept_is_unchanged_after_the_broker_recycled_many_others()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MessagePoolSize = 4 });
        var kept = new ConcurrentQueue<MqttMessage>();
        using var observation = broker.Broker.Observe("kept/#", kept.Enqueue);
        var subscriber = await broker.ConnectAsync("sub");
        await subscriber.SubscribeAsync(1, new TopicSubscription("churn/#", MqttQualityOfService.AtMostOnce));
        var publisher = await broker.ConnectAsync("pub");

        await publisher.SendAsync(Message("kept/a", "the kept payload"));
        for (var i = 0; i < Churn; i++)
        {
            await publisher.SendAsync(Message("churn/x", $"churn {i:D4} ........"));
        }

        for (var i = 0; i < Churn; i++)
        {
            Assert.Equal($"churn {i:D4} ........", Encoding.UTF8.GetString((await subscriber.ExpectAsync<PublishPacket>()).Payload.Span));
        }

        var message = Assert.Single(kept);
        Assert.Equal(("kept/a", "the kept payload", "pub"), (message.Topic, Encoding.UTF8.GetString(message.Payload.Span), message.SenderClientId));
    }

    [Fact]
    public async Task QoS1_messages_queued_for_an_offline_session_arrive_intact_after_heavy_traffic_meanwhile()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MessagePoolSize = 4 });
        var offline = await broker.ConnectAsync("offline", cleanStart: true, sessionExpiry: 600);
        await offline.SubscribeAsync(1, new TopicSubscription("held/#", MqttQualityOfService.AtLeastOnce));
        await offline.DisposeAsync();
        await Rampart.Testing.Eventually.HoldsAsync(() => Task.FromResult(broker.Broker.ConnectionCount == 0), "the offline client's connection ended");

        var live = await broker.ConnectAsync("live");
        await live.SubscribeAsync(1, new TopicSubscription("churn/#", MqttQualityOfService.AtLeastOnce));
        var publisher = await broker.ConnectAsync("pub");
        ushort id = 0;
        for (var i = 0; i < 5; i++)
        {
            await publisher.SendAsync(Message("held/m", $"held {i}", MqttQualityOfService.AtLeastOnce, ++id));
            await publisher.ExpectAsync<PublishResponsePacket>();
        }

        for (var i = 0; i < Churn; i++)
        {
            await publisher.SendAsync(Message("churn/x", $"churn {i:D4} ........", MqttQualityOfService.AtLeastOnce, ++id));
            await publisher.ExpectAsync<PublishResponsePacket>();
            var delivered = await live.ExpectAsync<PublishPacket>();
            Assert.Equal($"churn {i:D4} ........", Encoding.UTF8.GetString(delivered.Payload.Span));
            await live.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, delivered.PacketId));
        }

        var back = await broker.ConnectAsync("offline", cleanStart: false, sessionExpiry: 600);
        for (var i = 0; i < 5; i++)
        {
            var delivered = await back.ExpectAsync<PublishPacket>();
            Assert.Equal(("held/m", $"held {i}"), (delivered.Topic, Encoding.UTF8.GetString(delivered.Payload.Span)));
            await back.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, delivered.PacketId));
        }
    }

    [Fact]
    public async Task An_unacknowledged_QoS1_message_is_resent_intact_to_the_resumed_session()
    {
        await using var broker = new BrokerHarness(new BrokerOptions { MessagePoolSize = 4 });
        var subscriber = await broker.ConnectAsync("sub", sessionExpiry: 600);
        await subscriber.SubscribeAsync(1, new TopicSubscription("inflight/#", MqttQualityOfService.AtLeastOnce));
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("inflight/a", "never acknowledged", MqttQualityOfService.AtLeastOnce, 1));
        Assert.Equal("never acknowledged", Encoding.UTF8.GetString((await subscriber.ExpectAsync<PublishPacket>()).Payload.Span));
        await subscriber.DisposeAsync();

        // Other traffic recycles pooled messages while the first one waits for its PUBACK.
        for (var i = 0; i < Churn; i++)
        {
            await publisher.SendAsync(Message("elsewhere/x", $"other {i:D4} ........"));
        }

        var back = await broker.ConnectAsync("sub", cleanStart: false, sessionExpiry: 600);
        var resent = await back.ExpectAsync<PublishPacket>();
        Assert.Equal(("inflight/a", "never acknowledged", true), (resent.Topic, Encoding.UTF8.GetString(resent.Payload.Span), resent.Duplicate));
    }
}
