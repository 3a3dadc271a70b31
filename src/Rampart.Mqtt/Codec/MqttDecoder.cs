using System.Buffers;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Codec;

/// <summary>
/// Decodes control packets of one connection, enforcing the specs' malformed-packet rules with the
/// reason code each requires. The protocol version is learned from CONNECT (or set by a client).
/// Stateless apart from that, and safe to call with any bytes: it never throws and never waits for
/// more than <see cref="MaximumPacketSize"/> bytes.
/// </summary>
public sealed class MqttDecoder(uint maximumPacketSize)
{
    /// <summary>Largest packet accepted (fixed header included); larger ones are refused with 0x95 before they are read.</summary>
    public uint MaximumPacketSize { get; } = maximumPacketSize;

    /// <summary>The connection's protocol version; null until CONNECT is decoded.</summary>
    public MqttProtocolVersion? Version { get; set; }

    /// <summary>
    /// Tries to decode one packet from the start of <paramref name="buffer"/>. On
    /// <see cref="MqttDecodeStatus.Complete"/>, <paramref name="consumed"/> is the end of that packet;
    /// otherwise it is the start of the buffer.
    /// </summary>
    public MqttDecodeStatus TryDecode(in ReadOnlySequence<byte> buffer, out MqttPacket? packet, out SequencePosition consumed, out MqttDecodeError error) =>
        TryDecode(buffer, inPlace: false, out packet, out _, out consumed, out error);

    /// <summary>
    /// As <see cref="TryDecode(in ReadOnlySequence{byte}, out MqttPacket?, out SequencePosition, out MqttDecodeError)"/>,
    /// except that a PUBLISH or a publish acknowledgement is not made into a packet object: on
    /// <see cref="MqttDecodeStatus.Complete"/> with a null <paramref name="packet"/> it is in
    /// <paramref name="frame"/>, its payload a slice of <paramref name="buffer"/>. The same checks apply.
    /// </summary>
    public MqttDecodeStatus TryDecodeInPlace(in ReadOnlySequence<byte> buffer, out MqttPacket? packet, out MqttFrame frame, out SequencePosition consumed, out MqttDecodeError error) =>
        TryDecode(buffer, inPlace: true, out packet, out frame, out consumed, out error);

    private MqttDecodeStatus TryDecode(in ReadOnlySequence<byte> buffer, bool inPlace, out MqttPacket? packet, out MqttFrame frame, out SequencePosition consumed, out MqttDecodeError error)
    {
        packet = null;
        frame = default;
        error = default;
        consumed = buffer.Start;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var first))
        {
            return MqttDecodeStatus.NeedMoreData;
        }

        // §2.1.4 (5.0) / §2.2.3 (3.1.1): remaining length is at most four bytes.
        uint remaining = 0;
        var lengthBytes = 0;
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                return MqttDecodeStatus.NeedMoreData;
            }

            remaining |= (uint)(b & 0x7F) << (7 * lengthBytes);
            lengthBytes++;
            if ((b & 0x80) == 0)
            {
                break;
            }

            if (lengthBytes == 4)
            {
                return Fail(out error, MqttReasonCode.MalformedPacket, "remaining length longer than 4 bytes");
            }
        }

        var total = 1 + lengthBytes + (long)remaining;
        if (total > MaximumPacketSize)
        {
            return Fail(out error, MqttReasonCode.PacketTooLarge, $"packet of {total} bytes exceeds the maximum packet size of {MaximumPacketSize}");
        }

        if (reader.Remaining < remaining)
        {
            return MqttDecodeStatus.NeedMoreData;
        }

        var body = buffer.Slice(reader.Position, remaining);
        try
        {
            packet = Decode((MqttPacketType)(first >> 4), (byte)(first & 0x0F), body, inPlace, out frame);
        }
        catch (MalformedPacketException exception)
        {
            return Fail(out error, exception.ReasonCode, exception.Message);
        }

        consumed = body.End;
        return MqttDecodeStatus.Complete;
    }

    private static MqttDecodeStatus Fail(out MqttDecodeError error, MqttReasonCode code, string message)
    {
        error = new MqttDecodeError(code, message);
        return MqttDecodeStatus.Malformed;
    }

    private MqttPacket? Decode(MqttPacketType type, byte flags, ReadOnlySequence<byte> body, bool inPlace, out MqttFrame frame)
    {
        frame = default;
        if (type != MqttPacketType.Connect && Version is null)
        {
            // §3.1: the first packet from a client must be CONNECT.
            throw MalformedPacketException.Protocol($"expected CONNECT first, got {type}");
        }

        RequireFlags(type, flags);
        var reader = new PacketReader(body);
        var publishResponse = type is MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp;
        MqttPacket? packet = null;
        if (inPlace && (type == MqttPacketType.Publish || publishResponse))
        {
            frame = type == MqttPacketType.Publish ? ReadPublishFrame(ref reader, flags) : ReadResponseFrame(ref reader, type);
        }
        else
        {
            packet = type switch
            {
                MqttPacketType.Connect => ReadConnect(ref reader),
                MqttPacketType.ConnAck => ReadConnAck(ref reader),
                MqttPacketType.Publish => ReadPublish(ref reader, flags),
                MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp => ReadResponse(ref reader, type),
                MqttPacketType.Subscribe => ReadSubscribe(ref reader),
                MqttPacketType.SubAck => ReadSubAck(ref reader),
                MqttPacketType.Unsubscribe => ReadUnsubscribe(ref reader),
                MqttPacketType.UnsubAck => ReadUnsubAck(ref reader),
                MqttPacketType.PingReq => PingReqPacket.Instance,
                MqttPacketType.PingResp => PingRespPacket.Instance,
                MqttPacketType.Disconnect => ReadDisconnect(ref reader),
                MqttPacketType.Auth when Version == MqttProtocolVersion.V500 => ReadAuth(ref reader),
                _ => throw MalformedPacketException.Malformed($"reserved packet type {(int)type}"),
            };
        }

        if (!reader.End)
        {
            throw MalformedPacketException.Malformed($"{type} has {reader.Remaining} bytes beyond its content");
        }

        return packet;
    }

    private static void RequireFlags(MqttPacketType type, byte flags)
    {
        // §2.1.3: fixed-header flags are reserved except PUBLISH; PUBREL, SUBSCRIBE and UNSUBSCRIBE must be 0010.
        var expected = type switch
        {
            MqttPacketType.Publish => flags,
            MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe => (byte)0b0010,
            _ => (byte)0,
        };
        if (flags != expected)
        {
            throw MalformedPacketException.Malformed($"{type} has reserved fixed-header flags 0x{flags:X}");
        }
    }

    private bool V5 => Version == MqttProtocolVersion.V500;

    // Created at a connection's first PUBLISH: an idle connection does not carry it.
    private TopicNameCache? _topics;

    private ConnectPacket ReadConnect(ref PacketReader reader)
    {
        if (Version is not null)
        {
            // §3.1: a second CONNECT is a protocol error.
            throw MalformedPacketException.Protocol("CONNECT received twice");
        }

        var name = reader.ReadString("the protocol name");
        var level = reader.ReadByte("the protocol level");
        if (name != "MQTT" || level is not ((byte)MqttProtocolVersion.V311 or (byte)MqttProtocolVersion.V500))
        {
            // §3.1.2.2: an unsupported level is answered with CONNACK 0x84 (5.0) / 0x01 (3.1.1) and the connection closed.
            throw new MalformedPacketException(MqttReasonCode.UnsupportedProtocolVersion, $"unsupported protocol '{name}' level {level}");
        }

        Version = (MqttProtocolVersion)level;
        var flags = reader.ReadByte("the connect flags");
        if ((flags & 0x01) != 0)
        {
            throw MalformedPacketException.Malformed("the reserved connect flag is set");
        }

        var cleanStart = (flags & 0x02) != 0;
        var willFlag = (flags & 0x04) != 0;
        var willQoS = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        var hasPassword = (flags & 0x40) != 0;
        var hasUserName = (flags & 0x80) != 0;
        if (willQoS == 3)
        {
            throw MalformedPacketException.Malformed("will QoS 3");
        }

        if (!willFlag && (willQoS != 0 || willRetain))
        {
            throw MalformedPacketException.Malformed("will QoS or retain set without the will flag");
        }

        if (!V5 && hasPassword && !hasUserName)
        {
            // 3.1.1 §3.1.2.9: a password without a user name is malformed.
            throw MalformedPacketException.Malformed("password flag without user name flag");
        }

        var keepAlive = reader.ReadUInt16("keep alive");
        var properties = V5 ? PropertyReader.Read(ref reader, AllowedProperties.Connect, "CONNECT") : MqttProperties.Empty;
        var clientId = reader.ReadString("the client identifier");
        WillMessage? will = null;
        if (willFlag)
        {
            var willProperties = V5 ? PropertyReader.Read(ref reader, AllowedProperties.Will, "the will") : MqttProperties.Empty;
            var topic = reader.ReadString("the will topic");
            if (!MqttTopics.IsValidTopicName(topic))
            {
                throw MalformedPacketException.Malformed("the will topic is not a valid topic name");
            }

            will = new WillMessage(topic, reader.ReadBinary("the will payload"), (MqttQualityOfService)willQoS, willRetain) { Properties = willProperties };
        }

        var userName = hasUserName ? reader.ReadString("the user name") : null;
        // Typed explicitly: a bare null would convert (through byte[]) to an empty, present password.
        var password = hasPassword ? new ReadOnlyMemory<byte>(reader.ReadBinary("the password")) : (ReadOnlyMemory<byte>?)null;
        return new ConnectPacket
        {
            ProtocolVersion = Version.Value,
            CleanStart = cleanStart,
            KeepAliveSeconds = keepAlive,
            ClientId = clientId,
            Will = will,
            UserName = userName,
            Password = password,
            Properties = properties,
        };
    }

    private ConnAckPacket ReadConnAck(ref PacketReader reader)
    {
        var acknowledge = reader.ReadByte("the connect acknowledge flags");
        if ((acknowledge & 0xFE) != 0)
        {
            throw MalformedPacketException.Malformed("reserved CONNACK flags are set");
        }

        var code = (MqttReasonCode)reader.ReadByte("the connect reason code");
        var properties = V5 ? PropertyReader.Read(ref reader, AllowedProperties.ConnAck, "CONNACK") : MqttProperties.Empty;
        return new ConnAckPacket((acknowledge & 0x01) != 0, code) { Properties = properties };
    }

    private PublishPacket ReadPublish(ref PacketReader reader, byte flags)
    {
        var frame = ReadPublishFrame(ref reader, flags);
        return new PublishPacket
        {
            Topic = frame.Topic,
            QoS = frame.QoS,
            Retain = frame.Retain,
            Duplicate = frame.Duplicate,
            PacketId = frame.PacketId,
            Properties = frame.Properties,
            Payload = frame.Payload.ToArray(),
        };
    }

    private MqttFrame ReadPublishFrame(ref PacketReader reader, byte flags)
    {
        var qos = (flags >> 1) & 0x03;
        if (qos == 3)
        {
            throw MalformedPacketException.Malformed("PUBLISH with QoS 3");
        }

        var duplicate = (flags & 0x08) != 0;
        if (duplicate && qos == 0)
        {
            // §3.3.1.1: DUP must be 0 for QoS 0.
            throw MalformedPacketException.Malformed("DUP set on a QoS 0 PUBLISH");
        }

        var topic = reader.ReadString("the topic name", _topics ??= new TopicNameCache());
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            // §3.3.2.1: wildcards are not allowed in a topic name.
            throw new MalformedPacketException(V5 ? MqttReasonCode.TopicNameInvalid : MqttReasonCode.MalformedPacket, "wildcard in a PUBLISH topic name");
        }

        ushort packetId = 0;
        if (qos > 0)
        {
            packetId = reader.ReadUInt16("the packet identifier");
            if (packetId == 0)
            {
                throw MalformedPacketException.Malformed("packet identifier 0");
            }
        }

        var properties = V5 ? PropertyReader.Read(ref reader, AllowedProperties.Publish, "PUBLISH", subscriptionIdentifiersRepeat: true) : MqttProperties.Empty;
        if (topic.Length == 0 && properties.TopicAlias is null)
        {
            // 5.0 §3.3.2.1: an empty topic needs a topic alias; 3.1.1 requires a topic.
            throw MalformedPacketException.Protocol("PUBLISH without a topic name or topic alias");
        }

        return new MqttFrame(
            MqttPacketType.Publish, topic, reader.SliceRest(), (MqttQualityOfService)qos, (flags & 0x01) != 0, duplicate, packetId, MqttReasonCode.Success, properties);
    }

    private PublishResponsePacket ReadResponse(ref PacketReader reader, MqttPacketType type)
    {
        var frame = ReadResponseFrame(ref reader, type);
        return new PublishResponsePacket(type, frame.PacketId, frame.ReasonCode) { Properties = frame.Properties };
    }

    private MqttFrame ReadResponseFrame(ref PacketReader reader, MqttPacketType type)
    {
        var packetId = reader.ReadUInt16("the packet identifier");
        if (packetId == 0)
        {
            throw MalformedPacketException.Malformed("packet identifier 0");
        }

        // 5.0 §3.4.2.1: the reason code and properties may be omitted (remaining length 2 or 3).
        var code = V5 && !reader.End ? (MqttReasonCode)reader.ReadByte("the reason code") : MqttReasonCode.Success;
        var properties = V5 && !reader.End ? PropertyReader.Read(ref reader, AllowedProperties.Response, type.ToString().ToUpperInvariant()) : MqttProperties.Empty;
        return new MqttFrame(type, string.Empty, default, default, false, false, packetId, code, properties);
    }

    private SubscribePacket ReadSubscribe(ref PacketReader reader)
    {
        var packetId = NonZeroPacketId(ref reader);
        var properties = V5 ? PropertyReader.Read(ref reader, AllowedProperties.Subscribe, "SUBSCRIBE") : MqttProperties.Empty;
        var subscriptions = new List<TopicSubscription>();
        while (!reader.End)
        {
            var filter = reader.ReadString("a topic filter");
            var options = reader.ReadByte("subscription options");
            var qos = options & 0x03;
            var retainHandling = (options >> 4) & 0x03;
            if (qos == 3 || (V5 ? (options & 0xC0) != 0 || retainHandling == 3 : (options & 0xFC) != 0))
            {
                // §3.8.3.1: QoS 3, retain handling 3 and reserved bits are malformed.
                throw MalformedPacketException.Malformed($"invalid subscription options 0x{options:X2}");
            }

            var noLocal = V5 && (options & 0x04) != 0;
            ValidFilter(filter);

            if (noLocal && filter.StartsWith(MqttTopics.SharePrefix, StringComparison.Ordinal))
            {
                // §3.8.3.1: No Local on a shared subscription is a protocol error.
                throw MalformedPacketException.Protocol("no-local on a shared subscription");
            }

            subscriptions.Add(new TopicSubscription(filter, (MqttQualityOfService)qos, noLocal, V5 && (options & 0x08) != 0, (RetainHandling)retainHandling));
        }

        if (subscriptions.Count == 0)
        {
            // §3.8.3: at least one filter.
            throw MalformedPacketException.Protocol("SUBSCRIBE without a topic filter");
        }

        return new SubscribePacket(packetId, subscriptions) { Properties = properties };
    }

    private SubAckPacket ReadSubAck(ref PacketReader reader)
    {
        var packetId = NonZeroPacketId(ref reader);
        var properties = V5 ? PropertyReader.Read(ref reader, AllowedProperties.Response, "SUBACK") : MqttProperties.Empty;
        return new SubAckPacket(packetId, ReasonCodes(ref reader)) { Properties = properties };
    }

    private UnsubscribePacket ReadUnsubscribe(ref PacketReader reader)
    {
        var packetId = NonZeroPacketId(ref reader);
        var properties = V5 ? PropertyReader.Read(ref reader, AllowedProperties.Unsubscribe, "UNSUBSCRIBE") : MqttProperties.Empty;
        var filters = new List<string>();
        while (!reader.End)
        {
            filters.Add(ValidFilter(reader.ReadString("a topic filter")));
        }

        return filters.Count > 0 ? new UnsubscribePacket(packetId, filters) { Properties = properties }
            : throw MalformedPacketException.Protocol("UNSUBSCRIBE without a topic filter");
    }

    private UnsubAckPacket ReadUnsubAck(ref PacketReader reader)
    {
        var packetId = NonZeroPacketId(ref reader);
        if (!V5)
        {
            return new UnsubAckPacket(packetId, []);
        }

        var properties = PropertyReader.Read(ref reader, AllowedProperties.Response, "UNSUBACK");
        return new UnsubAckPacket(packetId, ReasonCodes(ref reader)) { Properties = properties };
    }

    private DisconnectPacket ReadDisconnect(ref PacketReader reader)
    {
        if (!V5)
        {
            return new DisconnectPacket();
        }

        var (code, properties) = OptionalReasonAndProperties(ref reader, AllowedProperties.Disconnect, "DISCONNECT");
        return new DisconnectPacket(code) { Properties = properties };
    }

    private static AuthPacket ReadAuth(ref PacketReader reader)
    {
        var (code, properties) = OptionalReasonAndProperties(ref reader, AllowedProperties.Auth, "AUTH");
        return new AuthPacket(code) { Properties = properties };
    }

    // 5.0 §3.14.2.1, §3.15.2.1: the reason code (then the properties) may be omitted, meaning Success.
    private static (MqttReasonCode Code, MqttProperties Properties) OptionalReasonAndProperties(ref PacketReader reader, ulong allowed, string where)
    {
        if (reader.End)
        {
            return (MqttReasonCode.Success, MqttProperties.Empty);
        }

        var code = (MqttReasonCode)reader.ReadByte($"the {where} reason code");
        return (code, reader.End ? MqttProperties.Empty : PropertyReader.Read(ref reader, allowed, where));
    }

    private static List<MqttReasonCode> ReasonCodes(ref PacketReader reader)
    {
        var codes = new List<MqttReasonCode>();
        while (!reader.End)
        {
            codes.Add((MqttReasonCode)reader.ReadByte("a reason code"));
        }

        return codes;
    }

    private string ValidFilter(string filter) =>
        MqttTopics.IsValidTopicFilter(filter)
            ? filter
            : throw new MalformedPacketException(V5 ? MqttReasonCode.TopicFilterInvalid : MqttReasonCode.MalformedPacket, $"invalid topic filter '{filter}'");

    private static ushort NonZeroPacketId(ref PacketReader reader)
    {
        var packetId = reader.ReadUInt16("the packet identifier");
        return packetId != 0 ? packetId : throw MalformedPacketException.Malformed("packet identifier 0");
    }
}
