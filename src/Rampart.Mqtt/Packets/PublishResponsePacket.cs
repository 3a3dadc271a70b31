using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>PUBACK, PUBREC, PUBREL or PUBCOMP (§3.4–3.7): a packet id, and in 5.0 a reason code and properties.</summary>
public sealed record PublishResponsePacket(MqttPacketType Kind, ushort PacketId, MqttReasonCode ReasonCode = MqttReasonCode.Success) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => Kind;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;
}
