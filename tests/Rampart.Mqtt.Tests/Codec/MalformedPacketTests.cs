using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Tests.Codec;

/// <summary>Each malformed-packet rule of the specs, with the reason code the spec requires.</summary>
public sealed class MalformedPacketTests
{
    public static TheoryData<string, string, MqttProtocolVersion, MqttReasonCode> Cases() => new()
    {
        { "remaining length over 4 bytes", "30 FF FF FF FF 01", MqttProtocolVersion.V500, MqttReasonCode.MalformedPacket },
        { "reserved packet type 0", "00 00", MqttProtocolVersion.V500, MqttReasonCode.MalformedPacket },
        { "AUTH in 3.1.1", "F0 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "reserved flags on PINGREQ", "C1 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "SUBSCRIBE flags not 0010", "80 06 00 01 00 01 61 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "PUBREL flags not 0010", "60 02 00 01", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "PUBLISH QoS 3", "36 05 00 01 61 00 01", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "DUP on QoS 0", "38 03 00 01 61", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "wildcard + in a PUBLISH topic (5.0)", "30 05 00 02 61 2B 00", MqttProtocolVersion.V500, MqttReasonCode.TopicNameInvalid },
        { "wildcard # in a PUBLISH topic (3.1.1)", "30 04 00 02 61 23", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "invalid UTF-8 in a topic", "30 04 00 02 C3 28", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "U+0000 in a topic", "30 04 00 02 61 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "packet id 0 on QoS 1", "32 05 00 01 61 00 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "packet id 0 on PUBACK", "40 02 00 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "duplicate property", "30 0E 00 01 61 06 02 00 00 00 01 02 00 00 00 02 00", MqttProtocolVersion.V500, MqttReasonCode.ProtocolError },
        { "property not allowed in PUBLISH", "30 07 00 01 61 02 11 00 00", MqttProtocolVersion.V500, MqttReasonCode.MalformedPacket },
        { "payload format indicator 2", "30 06 00 01 61 02 01 02", MqttProtocolVersion.V500, MqttReasonCode.ProtocolError },
        { "topic alias 0", "30 07 00 01 61 03 23 00 00", MqttProtocolVersion.V500, MqttReasonCode.ProtocolError },
        { "empty topic without alias", "30 03 00 00 00", MqttProtocolVersion.V500, MqttReasonCode.ProtocolError },
        { "property length beyond the packet", "30 05 00 01 61 09 01", MqttProtocolVersion.V500, MqttReasonCode.MalformedPacket },
        { "SUBSCRIBE without filters", "82 02 00 01", MqttProtocolVersion.V311, MqttReasonCode.ProtocolError },
        { "subscription QoS 3", "82 06 00 01 00 01 61 03", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "reserved subscription option bits (3.1.1)", "82 06 00 01 00 01 61 04", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "retain handling 3", "82 07 00 01 00 00 01 61 30", MqttProtocolVersion.V500, MqttReasonCode.MalformedPacket },
        { "# not last in a filter", "82 08 00 01 00 03 23 2F 61 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "+ inside a level", "82 07 00 01 00 02 61 2B 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "invalid filter (5.0)", "82 08 00 01 00 00 02 61 2B 00", MqttProtocolVersion.V500, MqttReasonCode.TopicFilterInvalid },
        { "no-local on a shared subscription", "82 14 00 01 00 00 0E 24 73 68 61 72 65 2F 67 2F 61 2F 62 2F 23 04", MqttProtocolVersion.V500, MqttReasonCode.ProtocolError },
        { "bytes beyond PINGREQ", "C0 01 00", MqttProtocolVersion.V311, MqttReasonCode.MalformedPacket },
        { "UNSUBSCRIBE without filters", "A2 02 00 01", MqttProtocolVersion.V311, MqttReasonCode.ProtocolError },
        { "second CONNECT", "10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 61", MqttProtocolVersion.V311, MqttReasonCode.ProtocolError },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_input_is_refused_with_the_reason_code_the_spec_requires(string rule, string hex, MqttProtocolVersion version, MqttReasonCode code)
    {
        var (status, packet, error, consumed) = Wire.Decode(Wire.Connected(version), Wire.Hex(hex));

        Assert.True(status == MqttDecodeStatus.Malformed, $"{rule}: {status}");
        Assert.Equal(code, error.ReasonCode);
        Assert.Null(packet);
        Assert.Equal(0, consumed);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    public static TheoryData<string, string, MqttReasonCode> ConnectCases() => new()
    {
        { "protocol name not MQTT", "10 0D 00 04 4D 51 54 58 04 02 00 3C 00 01 61", MqttReasonCode.UnsupportedProtocolVersion },
        { "MQTT 3.1 (level 3)", "10 0D 00 04 4D 51 54 54 03 02 00 3C 00 01 61", MqttReasonCode.UnsupportedProtocolVersion },
        { "reserved connect flag", "10 0D 00 04 4D 51 54 54 04 03 00 3C 00 01 61", MqttReasonCode.MalformedPacket },
        { "will QoS without will flag", "10 0D 00 04 4D 51 54 54 04 0A 00 3C 00 01 61", MqttReasonCode.MalformedPacket },
        { "will QoS 3", "10 0D 00 04 4D 51 54 54 04 1E 00 3C 00 01 61", MqttReasonCode.MalformedPacket },
        { "password without user name (3.1.1)", "10 0D 00 04 4D 51 54 54 04 42 00 3C 00 01 61", MqttReasonCode.MalformedPacket },
        { "receive maximum 0", "10 11 00 04 4D 51 54 54 05 02 00 3C 03 21 00 00 00 01 61", MqttReasonCode.ProtocolError },
        { "a PUBLISH before CONNECT", "30 03 00 01 61", MqttReasonCode.ProtocolError },
    };

    [Theory]
    [MemberData(nameof(ConnectCases))]
    public void Connect_rules_are_enforced(string rule, string hex, MqttReasonCode code)
    {
        var (status, _, error, _) = Wire.Decode(new MqttDecoder(1024), Wire.Hex(hex));

        Assert.True(status == MqttDecodeStatus.Malformed, $"{rule}: {status}");
        Assert.Equal(code, error.ReasonCode);
    }

    [Fact]
    public void A_packet_over_the_maximum_size_is_refused_from_its_header_before_its_body_arrives()
    {
        var decoder = Wire.Connected(MqttProtocolVersion.V500, maximumPacketSize: 1024);

        // Only the fixed header of a 1 MiB PUBLISH: refused at once, nothing buffered for it.
        var (status, _, error, _) = Wire.Decode(decoder, Wire.Hex("30 80 80 40"));

        Assert.Equal(MqttDecodeStatus.Malformed, status);
        Assert.Equal(MqttReasonCode.PacketTooLarge, error.ReasonCode);
    }

    [Fact]
    public void The_decoder_learns_the_version_from_connect()
    {
        var decoder = new MqttDecoder(1024);

        Wire.Decode(decoder, Wire.Hex("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 61"));

        Assert.Equal(MqttProtocolVersion.V311, decoder.Version);
    }
}
