using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Cluster.Tests.Sessions;

/// <summary>The stored form of a persistent session (issue 15): what goes in comes back, and a damaged state is refused whole.</summary>
public sealed class SessionStateCodecTests
{
    private static readonly DateTimeOffset Expiry = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static SessionState State() => new(
        "meter-1", "device:meter-1", 3600,
        [new PersistedSubscription("devices/meter-1/commands/#", MqttQualityOfService.AtLeastOnce, NoLocal: true, RetainAsPublished: false, SubscriptionId: 7),
         new PersistedSubscription("$share/g/devices/+/état", MqttQualityOfService.ExactlyOnce, NoLocal: false, RetainAsPublished: true, SubscriptionId: 0)],
        [new PersistedDelivery(12, Released: false,
            new MqttMessage("devices/meter-1/commands/open", new byte[] { 1, 2, 3 }, MqttQualityOfService.AtLeastOnce, retain: false,
                new MqttProperties { ContentType = "application/cbor", UserProperties = [new UserProperty("k", "v")] }, "ingest-1", Expiry, "service:ingest"),
            MqttQualityOfService.AtLeastOnce, Retain: false, [7]),
         new PersistedDelivery(0, Released: false,
            new MqttMessage("devices/meter-1/commands/close", ReadOnlyMemory<byte>.Empty, MqttQualityOfService.ExactlyOnce, retain: true, MqttProperties.Empty, "", null, null),
            MqttQualityOfService.ExactlyOnce, Retain: true, [])],
        [5, 9]);

    [Fact]
    public void A_session_with_subscriptions_messages_in_flight_and_queued_reads_back_the_same()
    {
        var decoded = SessionStateCodec.Decode("meter-1", "device:meter-1", SessionStateCodec.Encode(State()), 256 * 1024, out var problem);

        Assert.Null(problem);
        Assert.NotNull(decoded);
        Assert.Equal(3600u, decoded.ExpirySeconds);
        Assert.Equal(State().Subscriptions, decoded.Subscriptions);
        Assert.Equal([5, 9], decoded.AwaitingRelease);
        var (inflight, queued) = (decoded.Messages[0], decoded.Messages[1]);
        Assert.Equal((12, MqttQualityOfService.AtLeastOnce, "devices/meter-1/commands/open"), (inflight.PacketId, inflight.QoS, inflight.Message.Topic));
        Assert.Equal([1, 2, 3], inflight.Message.Payload.ToArray());
        Assert.Equal(("ingest-1", "service:ingest", Expiry), (inflight.Message.SenderClientId, inflight.Message.Publisher, inflight.Message.ExpiresAt));
        Assert.Equal("application/cbor", inflight.Message.Properties.ContentType);
        Assert.Equal([new UserProperty("k", "v")], inflight.Message.Properties.UserProperties);
        Assert.Equal([7u], inflight.SubscriptionIds);
        Assert.Equal((0, true, null, null), (queued.PacketId, queued.Retain, queued.Message.Publisher, queued.Message.ExpiresAt));
    }

    [Fact]
    public void A_truncated_or_altered_state_is_refused_with_a_reason_at_every_cut()
    {
        var bytes = SessionStateCodec.Encode(State());
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Null(SessionStateCodec.Decode("meter-1", "o", bytes[..length], 256 * 1024, out var problem));
            Assert.NotNull(problem);
        }

        var otherVersion = (byte[])bytes.Clone();
        otherVersion[0] = 2;
        Assert.Null(SessionStateCodec.Decode("meter-1", "o", otherVersion, 256 * 1024, out var why));
        Assert.Contains("version", why, StringComparison.Ordinal);
    }
}
