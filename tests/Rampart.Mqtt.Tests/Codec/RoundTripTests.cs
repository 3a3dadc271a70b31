using System.Buffers;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Tests.Codec;

public sealed class RoundTripTests
{
    private static readonly MqttProperties _rich = new()
    {
        PayloadFormatIndicator = 1,
        MessageExpiryInterval = 3600,
        ContentType = "application/json",
        ResponseTopic = "devices/d1/replies",
        CorrelationData = new byte[] { 1, 2, 3 },
        UserProperties = [new UserProperty("site", "plant-1"), new UserProperty("site", "plant-2")],
    };

    public static TheoryData<MqttPacket, MqttProtocolVersion> Packets() => new()
    {
        { new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V311, ClientId = "d1", KeepAliveSeconds = 60, UserName = "u", Password = new byte[] { 9, 9 } }, MqttProtocolVersion.V311 },
        {
            new ConnectPacket
            {
                ProtocolVersion = MqttProtocolVersion.V500, ClientId = "d1", CleanStart = false, KeepAliveSeconds = 30,
                Will = new WillMessage("devices/d1/state", new byte[] { 0x6f, 0x66, 0x66 }, MqttQualityOfService.AtLeastOnce, true) { Properties = new MqttProperties { WillDelayInterval = 5, ContentType = "text/plain" } },
                Properties = new MqttProperties { SessionExpiryInterval = 300, ReceiveMaximum = 10, MaximumPacketSize = 4096, TopicAliasMaximum = 8, RequestProblemInformation = 1 },
            },
            MqttProtocolVersion.V500
        },
        { new ConnAckPacket(true, MqttReasonCode.Success), MqttProtocolVersion.V311 },
        { new ConnAckPacket(false, MqttReasonCode.NotAuthorized) { Properties = new MqttProperties { ReasonString = "no", MaximumQoS = 1, RetainAvailable = 1, TopicAliasMaximum = 16, AssignedClientIdentifier = "x" } }, MqttProtocolVersion.V500 },
        { new PublishPacket { Topic = "devices/d1/telemetry/t", Payload = new byte[] { 1, 2, 3 } }, MqttProtocolVersion.V311 },
        { new PublishPacket { Topic = "devices/d1/telemetry/t", Payload = new byte[64], QoS = MqttQualityOfService.ExactlyOnce, Duplicate = true, Retain = true, PacketId = 65535 }, MqttProtocolVersion.V311 },
        { new PublishPacket { Topic = "a/b", Payload = new byte[] { 7 }, QoS = MqttQualityOfService.AtLeastOnce, PacketId = 7, Properties = _rich with { SubscriptionIdentifiers = [1, 268_435_455] } }, MqttProtocolVersion.V500 },
        { new PublishPacket { Topic = string.Empty, Payload = ReadOnlyMemory<byte>.Empty, Properties = new MqttProperties { TopicAlias = 3 } }, MqttProtocolVersion.V500 },
        { new PublishResponsePacket(MqttPacketType.PubAck, 1), MqttProtocolVersion.V311 },
        { new PublishResponsePacket(MqttPacketType.PubRel, 2), MqttProtocolVersion.V500 },
        { new PublishResponsePacket(MqttPacketType.PubRec, 3, MqttReasonCode.NotAuthorized) { Properties = new MqttProperties { ReasonString = "denied" } }, MqttProtocolVersion.V500 },
        { new PublishResponsePacket(MqttPacketType.PubComp, 4, MqttReasonCode.PacketIdentifierNotFound), MqttProtocolVersion.V500 },
        { new SubscribePacket(10, [new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce)]), MqttProtocolVersion.V311 },
        {
            new SubscribePacket(11, [
                new TopicSubscription("a/#", MqttQualityOfService.ExactlyOnce, NoLocal: true, RetainAsPublished: true, RetainHandling.DoNotSend),
                new TopicSubscription("$share/ingest/devices/+/telemetry/#", MqttQualityOfService.AtMostOnce)])
            { Properties = new MqttProperties { SubscriptionIdentifiers = [42] } },
            MqttProtocolVersion.V500
        },
        { new SubAckPacket(10, [MqttReasonCode.GrantedQoS1, MqttReasonCode.UnspecifiedError]), MqttProtocolVersion.V311 },
        { new SubAckPacket(11, [MqttReasonCode.GrantedQoS2, MqttReasonCode.NotAuthorized]) { Properties = new MqttProperties { ReasonString = "partly" } }, MqttProtocolVersion.V500 },
        { new UnsubscribePacket(12, ["a/b", "c/#"]), MqttProtocolVersion.V311 },
        { new UnsubAckPacket(12, []), MqttProtocolVersion.V311 },
        { new UnsubAckPacket(13, [MqttReasonCode.Success, MqttReasonCode.NoSubscriptionExisted]), MqttProtocolVersion.V500 },
        { PingReqPacket.Instance, MqttProtocolVersion.V311 },
        { PingRespPacket.Instance, MqttProtocolVersion.V500 },
        { new DisconnectPacket(), MqttProtocolVersion.V311 },
        { new DisconnectPacket(MqttReasonCode.AdministrativeAction) { Properties = new MqttProperties { ReasonString = "certificate revoked", SessionExpiryInterval = 0 } }, MqttProtocolVersion.V500 },
        { new AuthPacket(MqttReasonCode.ContinueAuthentication) { Properties = new MqttProperties { AuthenticationMethod = "SCRAM-SHA-256", AuthenticationData = new byte[] { 1 } } }, MqttProtocolVersion.V500 },
    };

    [Theory]
    [MemberData(nameof(Packets))]
    public void Every_packet_decodes_to_what_was_encoded(MqttPacket packet, MqttProtocolVersion version)
    {
        var bytes = Wire.Encode(packet, version);
        var decoder = packet is ConnectPacket ? new MqttDecoder(1024 * 1024) : Wire.Connected(version);

        var (status, decoded, error, consumed) = Wire.Decode(decoder, bytes);

        Assert.True(status == MqttDecodeStatus.Complete, error.Message);
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(packet, decoded);
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void A_packet_split_anywhere_needs_more_data_until_its_last_byte_arrives(MqttPacket packet, MqttProtocolVersion version)
    {
        var bytes = Wire.Encode(packet, version);
        for (var length = 0; length < bytes.Length; length++)
        {
            var decoder = packet is ConnectPacket ? new MqttDecoder(1024 * 1024) : Wire.Connected(version);
            Assert.Equal(MqttDecodeStatus.NeedMoreData, Wire.Decode(decoder, bytes[..length]).Status);
        }

        // And across segment boundaries of a multi-segment sequence.
        var split = bytes.Length / 2;
        var first = new Segment(bytes[..split]);
        var last = first.Append(bytes[split..]);
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        var status = (packet is ConnectPacket ? new MqttDecoder(1024 * 1024) : Wire.Connected(version)).TryDecode(sequence, out var decoded, out _, out _);
        Assert.Equal(MqttDecodeStatus.Complete, status);
        Assert.Equal(packet, decoded);
    }

    [Fact]
    public void Two_packets_in_one_buffer_decode_one_at_a_time()
    {
        var one = Wire.Encode(new PublishPacket { Topic = "a", Payload = new byte[] { 1 } }, MqttProtocolVersion.V311);
        var two = Wire.Encode(PingReqPacket.Instance, MqttProtocolVersion.V311);
        var decoder = Wire.Connected(MqttProtocolVersion.V311);

        var (status, packet, _, consumed) = Wire.Decode(decoder, [.. one, .. two]);

        Assert.Equal(MqttDecodeStatus.Complete, status);
        Assert.IsType<PublishPacket>(packet);
        Assert.Equal(one.Length, consumed);
    }

    [Fact]
    public void A_311_connect_matches_the_bytes_of_the_spec_example()
    {
        // Fixed header 0x10, remaining length 13, "MQTT", level 4, clean session, keep alive 60, client id "a".
        var bytes = Wire.Encode(new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V311, ClientId = "a", KeepAliveSeconds = 60 }, MqttProtocolVersion.V311);

        Assert.Equal(Wire.Hex("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 61"), bytes);
    }

    [Fact]
    public void A_v5_puback_with_success_and_no_properties_is_two_bytes_of_body()
    {
        Assert.Equal(Wire.Hex("40 02 00 07"), Wire.Encode(new PublishResponsePacket(MqttPacketType.PubAck, 7), MqttProtocolVersion.V500));
        Assert.Equal(Wire.Hex("E0 00"), Wire.Encode(new DisconnectPacket(), MqttProtocolVersion.V500));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
