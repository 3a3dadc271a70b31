using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>PUBLISH (§3.3). <see cref="Topic"/> may be empty in 5.0 when a topic alias stands in for it.</summary>
public sealed record PublishPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Publish;

    public string Topic { get; init; } = string.Empty;

    public ReadOnlyMemory<byte> Payload { get; init; }

    public MqttQualityOfService QoS { get; init; }

    public bool Retain { get; init; }

    public bool Duplicate { get; init; }

    /// <summary>Non-zero for QoS 1 and 2; zero for QoS 0.</summary>
    public ushort PacketId { get; init; }

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;

    /// <inheritdoc />
    public bool Equals(PublishPacket? other) =>
        other is not null && Topic == other.Topic && Payload.Span.SequenceEqual(other.Payload.Span) && QoS == other.QoS && Retain == other.Retain
        && Duplicate == other.Duplicate && PacketId == other.PacketId && Properties.Equals(other.Properties);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Topic, QoS, PacketId);
}
