using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>SUBSCRIBE (§3.8).</summary>
public sealed record SubscribePacket(ushort PacketId, IReadOnlyList<TopicSubscription> Subscriptions) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Subscribe;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;

    /// <inheritdoc />
    public bool Equals(SubscribePacket? other) =>
        other is not null && PacketId == other.PacketId && Subscriptions.SequenceEqual(other.Subscriptions) && Properties.Equals(other.Properties);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PacketId, Subscriptions.Count);
}

/// <summary>One topic filter and its subscription options (§3.8.3.1).</summary>
public sealed record TopicSubscription(string Filter, MqttQualityOfService MaximumQoS, bool NoLocal = false, bool RetainAsPublished = false, RetainHandling RetainHandling = RetainHandling.SendAtSubscribe);

/// <summary>When retained messages are sent for a new subscription (§3.8.3.1).</summary>
public enum RetainHandling : byte
{
    SendAtSubscribe = 0,
    SendAtSubscribeIfNew = 1,
    DoNotSend = 2,
}
