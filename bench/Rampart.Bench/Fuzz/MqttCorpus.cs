using System.Buffers;
using System.Text;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench.Fuzz;

/// <summary>
/// The seed corpus: a valid packet of every MQTT control packet type (MQTT 5.0 §2.1.2, and 3.1.1
/// where the versions differ), with every property family the codec reads, encoded by Rampart's own
/// encoder. Mutations start from these, so most of them reach deep into the decoder.
/// </summary>
internal static class MqttCorpus
{
    /// <summary>The packets a client may send after CONNECT (what the broker must withstand on a live session).</summary>
    public static IReadOnlyList<byte[]> SessionPackets(MqttProtocolVersion version, string deviceId) =>
        [.. SessionSeeds(deviceId).Select(packet => Encode(packet, version))];

    /// <summary>Every seed: CONNECT and the server-to-client packets too (the decoder reads both directions).</summary>
    public static IReadOnlyList<byte[]> All(MqttProtocolVersion version) =>
        [.. SessionSeeds("fuzz-device").Concat(OtherSeeds()).Where(packet => version == MqttProtocolVersion.V500 || packet is not AuthPacket).Select(packet => Encode(packet, version))];

    /// <summary>A valid CONNECT for <paramref name="clientId"/>.</summary>
    public static ConnectPacket Connect(MqttProtocolVersion version, string clientId) => new()
    {
        ProtocolVersion = version, ClientId = clientId, CleanStart = true, KeepAliveSeconds = 60,
        Properties = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 0, ReceiveMaximum = 32, TopicAliasMaximum = 8, MaximumPacketSize = 1 << 20 } : MqttProperties.Empty,
    };

    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version)
    {
        using var encoder = new MqttEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(packet, version, output);
        return output.WrittenSpan.ToArray();
    }

    private static IEnumerable<MqttPacket> SessionSeeds(string id)
    {
        var telemetry = $"devices/{id}/telemetry/temperature";
        var user = new UserProperty("site", "berlin-3");
        yield return new PublishPacket { Topic = telemetry, Payload = Encoding.UTF8.GetBytes("{\"t\":21.5}"), QoS = MqttQualityOfService.AtMostOnce };
        yield return new PublishPacket
        {
            Topic = telemetry, Payload = new byte[200], QoS = MqttQualityOfService.AtLeastOnce, PacketId = 7, Retain = true,
            Properties = new MqttProperties
            {
                PayloadFormatIndicator = 1, MessageExpiryInterval = 3600, ContentType = "application/json", ResponseTopic = $"devices/{id}/events/reply",
                CorrelationData = new byte[] { 1, 2, 3, 4 }, TopicAlias = 1, UserProperties = [user],
            },
        };
        yield return new PublishPacket { Topic = $"devices/{id}/events/boot", Payload = new byte[16], QoS = MqttQualityOfService.ExactlyOnce, PacketId = 8, Duplicate = true };
        yield return new PublishResponsePacket(MqttPacketType.PubAck, 9);
        yield return new PublishResponsePacket(MqttPacketType.PubRec, 10, MqttReasonCode.Success) { Properties = new MqttProperties { ReasonString = "ok", UserProperties = [user] } };
        yield return new PublishResponsePacket(MqttPacketType.PubRel, 8);
        yield return new PublishResponsePacket(MqttPacketType.PubComp, 10);
        yield return new SubscribePacket(11, [
            new TopicSubscription($"devices/{id}/commands/#", MqttQualityOfService.AtLeastOnce, NoLocal: true, RetainAsPublished: true, RetainHandling.SendAtSubscribeIfNew),
            new TopicSubscription($"devices/{id}/config", MqttQualityOfService.ExactlyOnce),
        ]) { Properties = new MqttProperties { SubscriptionIdentifiers = [42], UserProperties = [user] } };
        yield return new UnsubscribePacket(12, [$"devices/{id}/commands/#", $"devices/{id}/config"]);
        yield return PingReqPacket.Instance;
        yield return new DisconnectPacket(MqttReasonCode.Success) { Properties = new MqttProperties { SessionExpiryInterval = 0, ReasonString = "bye" } };
    }

    // AUTH exists only in MQTT 5.0 (§3.15); the 3.1.1 corpus leaves it out.
    private static IEnumerable<MqttPacket> OtherSeeds()
    {
        yield return Connect(MqttProtocolVersion.V500, "fuzz-device") with
        {
            UserName = "fuzz", Password = Encoding.UTF8.GetBytes("not-a-secret"),
            Will = new WillMessage("devices/fuzz-device/events/gone", Encoding.UTF8.GetBytes("gone"), MqttQualityOfService.AtLeastOnce, false)
            {
                Properties = new MqttProperties { WillDelayInterval = 5, ContentType = "text/plain" },
            },
        };
        yield return new ConnAckPacket(false, MqttReasonCode.Success)
        {
            Properties = new MqttProperties { MaximumPacketSize = 262144, ReceiveMaximum = 64, TopicAliasMaximum = 10, ServerKeepAlive = 30, AssignedClientIdentifier = "x" },
        };
        yield return new SubAckPacket(11, [MqttReasonCode.GrantedQoS1, MqttReasonCode.NotAuthorized]);
        yield return new UnsubAckPacket(12, [MqttReasonCode.Success, MqttReasonCode.NoSubscriptionExisted]);
        yield return PingRespPacket.Instance;
        yield return new AuthPacket(MqttReasonCode.ContinueAuthentication) { Properties = new MqttProperties { AuthenticationMethod = "SCRAM-SHA-256", AuthenticationData = new byte[] { 9, 9 } } };
    }
}
