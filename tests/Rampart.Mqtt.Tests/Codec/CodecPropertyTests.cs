using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Tests.Codec;

/// <summary>Property tests over random and mutated packets: the decoder never throws, never reads past its limit, and what it accepts re-encodes.</summary>
public sealed class CodecPropertyTests
{
    private static readonly byte[][] _seeds =
    [
        Wire.Encode(new PublishPacket { Topic = "devices/d1/telemetry/t", Payload = new byte[] { 1, 2, 3 }, QoS = MqttQualityOfService.AtLeastOnce, PacketId = 9, Properties = new MqttProperties { ContentType = "x", UserProperties = [new UserProperty("a", "b")], TopicAlias = 4 } }, MqttProtocolVersion.V500),
        Wire.Encode(new SubscribePacket(3, [new TopicSubscription("a/+/#", MqttQualityOfService.ExactlyOnce, true, true, RetainHandling.SendAtSubscribeIfNew)]) { Properties = new MqttProperties { SubscriptionIdentifiers = [7] } }, MqttProtocolVersion.V500),
        Wire.Encode(new DisconnectPacket(MqttReasonCode.ServerShuttingDown) { Properties = new MqttProperties { ReasonString = "bye" } }, MqttProtocolVersion.V500),
        Wire.Encode(new PublishResponsePacket(MqttPacketType.PubRec, 5, MqttReasonCode.QuotaExceeded) { Properties = new MqttProperties { ReasonString = "slow" } }, MqttProtocolVersion.V500),
        Wire.Encode(new UnsubscribePacket(8, ["a", "b/#"]), MqttProtocolVersion.V500),
    ];

    private static readonly Config _config = Config.QuickThrowOnFailure.WithMaxTest(3000);

    [Fact]
    public void Random_bytes_never_make_the_decoder_throw() =>
        Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => Survives(MqttProtocolVersion.V500, bytes) && Survives(MqttProtocolVersion.V311, bytes)));

    [Fact]
    public void Random_bytes_before_connect_never_make_the_decoder_throw() =>
        Check.One(_config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var decoder = new MqttDecoder(4096);
            var status = decoder.TryDecode(new ReadOnlySequence<byte>([0x10, .. bytes]), out _, out _, out _);
            return Enum.IsDefined(status);
        }));

    [Fact]
    public void Mutated_valid_packets_decode_to_something_that_re_encodes_or_are_refused_cleanly()
    {
        var mutation = from seed in Gen.Elements(_seeds)
                       from position in Gen.Choose(0, 200)
                       from value in Gen.Choose(0, 255)
                       from truncate in Gen.Choose(0, 3)
                       select Mutate(seed, position, (byte)value, truncate);
        Check.One(_config, Prop.ForAll(mutation.ToArbitrary(), bytes =>
        {
            var decoder = Wire.Connected(MqttProtocolVersion.V500, 4096);
            var status = decoder.TryDecode(new ReadOnlySequence<byte>(bytes), out var packet, out _, out var error);
            return status switch
            {
                MqttDecodeStatus.Complete => ReEncodes(packet!),
                MqttDecodeStatus.Malformed => (byte)error.ReasonCode >= 0x80 && error.Message.Length > 0,
                _ => true,
            };
        }));
    }

    [Fact]
    public void A_declared_length_beyond_the_limit_is_refused_without_waiting_for_the_bytes() =>
        Check.One(_config, Prop.ForAll(Gen.Choose(4097, 268_435_455).ToArbitrary(), length =>
        {
            var header = new ArrayBufferWriter<byte>();
            header.Write([(byte)0x30]);
            var value = (uint)length;
            do
            {
                var b = (byte)(value & 0x7F);
                value >>= 7;
                header.Write([value > 0 ? (byte)(b | 0x80) : b]);
            }
            while (value > 0);
            var status = Wire.Connected(MqttProtocolVersion.V500, 4096).TryDecode(new ReadOnlySequence<byte>(header.WrittenMemory), out _, out _, out var error);
            return status == MqttDecodeStatus.Malformed && error.ReasonCode == MqttReasonCode.PacketTooLarge;
        }));

    private static byte[] Mutate(byte[] seed, int position, byte value, int truncate)
    {
        var copy = seed.ToArray();
        copy[position % copy.Length] = value;
        return copy[..Math.Max(1, copy.Length - truncate)];
    }

    private static bool Survives(MqttProtocolVersion version, byte[] bytes)
    {
        var decoder = Wire.Connected(version, 4096);
        var buffer = new ReadOnlySequence<byte>(bytes);
        var status = decoder.TryDecode(buffer, out var packet, out var consumed, out var error);
        return status switch
        {
            MqttDecodeStatus.Complete => packet is not null && buffer.Slice(0, consumed).Length <= bytes.Length,
            MqttDecodeStatus.Malformed => error.Message.Length > 0,
            _ => packet is null,
        };
    }

    private static bool ReEncodes(MqttPacket packet)
    {
        var bytes = Wire.Encode(packet, MqttProtocolVersion.V500);
        var (status, again, _, _) = Wire.Decode(Wire.Connected(MqttProtocolVersion.V500, 8192), bytes);
        return status == MqttDecodeStatus.Complete && again!.Equals(packet);
    }
}
