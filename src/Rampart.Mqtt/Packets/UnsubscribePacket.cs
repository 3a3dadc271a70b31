using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>UNSUBSCRIBE (§3.10).</summary>
public sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> Filters) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;

    /// <inheritdoc />
    public bool Equals(UnsubscribePacket? other) =>
        other is not null && PacketId == other.PacketId && Filters.SequenceEqual(other.Filters) && Properties.Equals(other.Properties);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PacketId, Filters.Count);
}

/// <summary>UNSUBACK (§3.11): in 5.0 one reason code per filter; in 3.1.1 none.</summary>
public sealed record UnsubAckPacket(ushort PacketId, IReadOnlyList<MqttReasonCode> ReasonCodes) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.UnsubAck;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;

    /// <inheritdoc />
    public bool Equals(UnsubAckPacket? other) =>
        other is not null && PacketId == other.PacketId && ReasonCodes.SequenceEqual(other.ReasonCodes) && Properties.Equals(other.Properties);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PacketId, ReasonCodes.Count);
}
