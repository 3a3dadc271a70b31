using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker.Persistence;

/// <summary>
/// What a persistent session holds (MQTT 5 §4.1: the session state in the server), as captured
/// between packets: its subscriptions, the QoS 1/2 messages in flight to it (with their packet ids,
/// so they are sent again with DUP and the same id, §4.4) and queued for it, and the QoS 2 packet
/// ids it has not released yet.
/// </summary>
public sealed record SessionState(
    string ClientId,
    string Owner,
    uint ExpirySeconds,
    IReadOnlyList<PersistedSubscription> Subscriptions,
    IReadOnlyList<PersistedDelivery> Messages,
    IReadOnlyList<ushort> AwaitingRelease)
{
    /// <summary>When the state was written to the store, as read back (null when not known): a durable fabric replays what reached the session since.</summary>
    public DateTimeOffset? WrittenAt { get; init; }
}

/// <summary>One subscription and its options (5.0 §3.8.3.1).</summary>
public sealed record PersistedSubscription(string Filter, MqttQualityOfService MaximumQoS, bool NoLocal, bool RetainAsPublished, uint SubscriptionId);

/// <summary>One message for the session: in flight under <see cref="PacketId"/> (0: still queued), PUBREL pending when <see cref="Released"/>.</summary>
public sealed record PersistedDelivery(ushort PacketId, bool Released, MqttMessage Message, MqttQualityOfService QoS, bool Retain, IReadOnlyList<uint> SubscriptionIds);
