using System.Buffers;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Codec;

/// <summary>
/// Encodes control packets for one connection into an <see cref="IBufferWriter{T}"/>. The body is
/// built in a pooled buffer first (its length precedes it on the wire), so once warm the encoder
/// allocates nothing. Not thread-safe: one encoder per connection.
/// </summary>
public sealed class MqttEncoder : IDisposable
{
    private readonly PooledBufferWriter _body = new();
    private readonly PooledBufferWriter _properties = new();

    /// <summary>Writes <paramref name="packet"/> for <paramref name="version"/>; returns the bytes written.</summary>
    public int Encode(MqttPacket packet, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        _body.Clear();
        var v5 = version == MqttProtocolVersion.V500;
        byte flags = 0;
        switch (packet)
        {
            case ConnectPacket connect:
                WriteConnect(connect);
                break;
            case ConnAckPacket connAck:
                WireWriter.Byte(_body, connAck.SessionPresent ? (byte)1 : (byte)0);
                WireWriter.Byte(_body, (byte)connAck.ReasonCode);
                Properties(v5, connAck.Properties);
                break;
            case PublishPacket publish:
                flags = WritePublish(publish.Topic, publish.Payload.Span, publish.QoS, publish.Retain, publish.Duplicate, publish.PacketId, publish.Properties, v5);
                break;
            case PublishResponsePacket response:
                flags = WriteResponse(response.Kind, response.PacketId, response.ReasonCode, response.Properties, v5);
                break;
            case SubscribePacket subscribe:
                flags = 0b0010;
                WireWriter.UInt16(_body, subscribe.PacketId);
                Properties(v5, subscribe.Properties);
                foreach (var subscription in subscribe.Subscriptions)
                {
                    WireWriter.String(_body, subscription.Filter);
                    WireWriter.Byte(_body, (byte)((byte)subscription.MaximumQoS
                        | (v5 && subscription.NoLocal ? 0x04 : 0)
                        | (v5 && subscription.RetainAsPublished ? 0x08 : 0)
                        | (v5 ? (byte)subscription.RetainHandling << 4 : 0)));
                }

                break;
            case SubAckPacket subAck:
                WireWriter.UInt16(_body, subAck.PacketId);
                Properties(v5, subAck.Properties);
                foreach (var code in subAck.ReasonCodes)
                {
                    WireWriter.Byte(_body, (byte)code);
                }

                break;
            case UnsubscribePacket unsubscribe:
                flags = 0b0010;
                WireWriter.UInt16(_body, unsubscribe.PacketId);
                Properties(v5, unsubscribe.Properties);
                foreach (var filter in unsubscribe.Filters)
                {
                    WireWriter.String(_body, filter);
                }

                break;
            case UnsubAckPacket unsubAck:
                WireWriter.UInt16(_body, unsubAck.PacketId);
                if (v5)
                {
                    Properties(v5, unsubAck.Properties);
                    foreach (var code in unsubAck.ReasonCodes)
                    {
                        WireWriter.Byte(_body, (byte)code);
                    }
                }

                break;
            case PingReqPacket or PingRespPacket:
                break;
            case DisconnectPacket disconnect:
                if (v5 && (disconnect.ReasonCode != MqttReasonCode.Success || !IsEmpty(disconnect.Properties)))
                {
                    WireWriter.Byte(_body, (byte)disconnect.ReasonCode);
                    Properties(v5, disconnect.Properties);
                }

                break;
            case AuthPacket auth when v5:
                if (auth.ReasonCode != MqttReasonCode.Success || !IsEmpty(auth.Properties))
                {
                    WireWriter.Byte(_body, (byte)auth.ReasonCode);
                    Properties(v5, auth.Properties);
                }

                break;
            default:
                throw new ArgumentException($"{packet.Type} cannot be encoded for MQTT {(version == MqttProtocolVersion.V500 ? "5.0" : "3.1.1")}", nameof(packet));
        }

        return WriteFrame(packet.Type, flags, output);
    }

    /// <summary>
    /// Writes a PUBLISH without a packet object (the broker's delivery path). Returns 0 and writes
    /// nothing when the packet would exceed <paramref name="maximumSize"/>, the receiver's Maximum
    /// Packet Size (5.0 §3.1.2.11.4: such a packet is discarded, not sent).
    /// </summary>
    /// <param name="topicAlias">
    /// A topic alias to send (5.0 §3.3.2.3.4; 0: none), added to <paramref name="properties"/> without copying them;
    /// with <paramref name="aliasOnly"/> the topic name is sent empty, the alias standing for it.
    /// </param>
    public int EncodePublish(
        string topic, ReadOnlySpan<byte> payload, MqttQualityOfService qos, bool retain, bool duplicate, ushort packetId,
        MqttProperties properties, MqttProtocolVersion version, IBufferWriter<byte> output, uint maximumSize = uint.MaxValue,
        ushort topicAlias = 0, bool aliasOnly = false)
    {
        _body.Clear();
        var v5 = version == MqttProtocolVersion.V500;
        var alias = v5 ? topicAlias : (ushort)0;
        var flags = WritePublish(alias != 0 && aliasOnly ? string.Empty : topic, payload, qos, retain, duplicate, packetId, properties, v5, alias);
        var total = 1L + WireWriter.VariableByteIntegerSize((uint)_body.WrittenCount) + _body.WrittenCount;
        return total > maximumSize ? 0 : WriteFrame(MqttPacketType.Publish, flags, output);
    }

    /// <summary>Writes a PUBACK, PUBREC, PUBREL or PUBCOMP without properties and without a packet object (the broker's acknowledgement path).</summary>
    public int EncodeResponse(MqttPacketType kind, ushort packetId, MqttReasonCode reasonCode, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        _body.Clear();
        var flags = WriteResponse(kind, packetId, reasonCode, MqttProperties.Empty, version == MqttProtocolVersion.V500);
        return WriteFrame(kind, flags, output);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _body.Dispose();
        _properties.Dispose();
    }

    private byte WritePublish(
        string topic, ReadOnlySpan<byte> payload, MqttQualityOfService qos, bool retain, bool duplicate, ushort packetId, MqttProperties properties, bool v5, ushort topicAlias = 0)
    {
        WireWriter.String(_body, topic);
        if (qos != MqttQualityOfService.AtMostOnce)
        {
            WireWriter.UInt16(_body, packetId);
        }

        Properties(v5, properties, topicAlias);
        WireWriter.Raw(_body, payload);
        return (byte)((duplicate ? 0x08 : 0) | ((byte)qos << 1) | (retain ? 0x01 : 0));
    }

    private byte WriteResponse(MqttPacketType kind, ushort packetId, MqttReasonCode reasonCode, MqttProperties properties, bool v5)
    {
        WireWriter.UInt16(_body, packetId);

        // 5.0 §3.4.2.1: the reason code may be omitted when it is Success and there are no properties.
        if (v5 && (reasonCode != MqttReasonCode.Success || !IsEmpty(properties)))
        {
            WireWriter.Byte(_body, (byte)reasonCode);
            Properties(v5, properties);
        }

        return kind == MqttPacketType.PubRel ? (byte)0b0010 : (byte)0;
    }

    // §2.1: fixed header — type and flags, then the remaining length as a variable byte integer.
    private int WriteFrame(MqttPacketType type, byte flags, IBufferWriter<byte> output)
    {
        WireWriter.Byte(output, (byte)(((byte)type << 4) | flags));
        WireWriter.VariableByteInteger(output, (uint)_body.WrittenCount);
        WireWriter.Raw(output, _body.WrittenSpan);
        return 1 + WireWriter.VariableByteIntegerSize((uint)_body.WrittenCount) + _body.WrittenCount;
    }

    private void WriteConnect(ConnectPacket connect)
    {
        var v5 = connect.ProtocolVersion == MqttProtocolVersion.V500;
        WireWriter.String(_body, "MQTT");
        WireWriter.Byte(_body, (byte)connect.ProtocolVersion);
        var flags = (connect.CleanStart ? 0x02 : 0)
            | (connect.Will is { } will ? 0x04 | ((byte)will.QoS << 3) | (will.Retain ? 0x20 : 0) : 0)
            | (connect.Password is not null ? 0x40 : 0)
            | (connect.UserName is not null ? 0x80 : 0);
        WireWriter.Byte(_body, (byte)flags);
        WireWriter.UInt16(_body, connect.KeepAliveSeconds);
        Properties(v5, connect.Properties);
        WireWriter.String(_body, connect.ClientId);
        if (connect.Will is { } message)
        {
            Properties(v5, message.Properties);
            WireWriter.String(_body, message.Topic);
            WireWriter.Binary(_body, message.Payload.Span);
        }

        if (connect.UserName is not null)
        {
            WireWriter.String(_body, connect.UserName);
        }

        if (connect.Password is { } password)
        {
            WireWriter.Binary(_body, password.Span);
        }
    }

    private void Properties(bool v5, MqttProperties properties, ushort topicAlias = 0)
    {
        if (!v5)
        {
            return;
        }

        if (ReferenceEquals(properties, MqttProperties.Empty) && topicAlias == 0)
        {
            WireWriter.Byte(_body, 0);
            return;
        }

        _properties.Clear();
        PropertyWriter.Write(_properties, properties);
        if (topicAlias != 0 && properties.TopicAlias is null)
        {
            WireWriter.Byte(_properties, PropertyId.TopicAlias);
            WireWriter.UInt16(_properties, topicAlias);
        }

        WireWriter.VariableByteInteger(_body, (uint)_properties.WrittenCount);
        WireWriter.Raw(_body, _properties.WrittenSpan);
    }

    private static bool IsEmpty(MqttProperties properties) => ReferenceEquals(properties, MqttProperties.Empty) || properties.Equals(MqttProperties.Empty);
}
