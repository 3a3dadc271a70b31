using System.Buffers;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Codec;

/// <summary>
/// A PUBLISH or a publish acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP) decoded in place by
/// <see cref="MqttDecoder.TryDecodeInPlace"/>, without a packet object: the messages a broker routes
/// in steady state allocate nothing to decode. <see cref="Payload"/> is a slice of the buffer that was
/// decoded, valid until the caller advances the reader past it.
/// </summary>
public readonly struct MqttFrame
{
    internal MqttFrame(MqttPacketType type, string topic, ReadOnlySequence<byte> payload, MqttQualityOfService qos, bool retain, bool duplicate, ushort packetId, MqttReasonCode reasonCode, MqttProperties properties)
    {
        Type = type;
        Topic = topic;
        Payload = payload;
        QoS = qos;
        Retain = retain;
        Duplicate = duplicate;
        PacketId = packetId;
        ReasonCode = reasonCode;
        Properties = properties;
    }

    public MqttPacketType Type { get; }

    /// <summary>A PUBLISH's topic name (empty in 5.0 when a topic alias stands for it).</summary>
    public string Topic { get; }

    public ReadOnlySequence<byte> Payload { get; }

    public MqttQualityOfService QoS { get; }

    public bool Retain { get; }

    public bool Duplicate { get; }

    /// <summary>Non-zero except on a QoS 0 PUBLISH.</summary>
    public ushort PacketId { get; }

    /// <summary>An acknowledgement's reason code (Success when omitted, 5.0 §3.4.2.1).</summary>
    public MqttReasonCode ReasonCode { get; }

    public MqttProperties Properties { get; }
}
