using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>CONNACK. For 3.1.1 the reason code carries the return code (0x00–0x05).</summary>
public sealed record ConnAckPacket(bool SessionPresent, MqttReasonCode ReasonCode) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.ConnAck;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;
}
