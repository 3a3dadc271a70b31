using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>SUBACK (§3.9): one reason code per requested filter. 3.1.1 return codes are 0x00–0x02 and 0x80.</summary>
public sealed record SubAckPacket(ushort PacketId, IReadOnlyList<MqttReasonCode> ReasonCodes) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.SubAck;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;

    /// <inheritdoc />
    public bool Equals(SubAckPacket? other) =>
        other is not null && PacketId == other.PacketId && ReasonCodes.SequenceEqual(other.ReasonCodes) && Properties.Equals(other.Properties);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PacketId, ReasonCodes.Count);
}
