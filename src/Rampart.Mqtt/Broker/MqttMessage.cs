using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// An application message as the broker routes it: created once per accepted PUBLISH (or will) and
/// shared by every subscriber it goes to. <see cref="Properties"/> holds only what is forwarded
/// (5.0 §3.3.2.3: not the topic alias, not subscription identifiers).
/// </summary>
public sealed class MqttMessage(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos, bool retain, MqttProperties properties, string senderClientId, DateTimeOffset? expiresAt, string? publisher)
{
    public string Topic { get; } = topic;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public MqttQualityOfService QoS { get; } = qos;

    public bool Retain { get; } = retain;

    public MqttProperties Properties { get; } = properties;

    /// <summary>The client that published it (for no-local, §3.8.3.1).</summary>
    public string SenderClientId { get; } = senderClientId;

    /// <summary>
    /// The authenticated principal that published it, as the host's policy names it
    /// (<see cref="IMqttClientPolicy.Principal"/>); null for the server's own messages. Consumers that
    /// act on a report attribute it to this, never to an id in the topic.
    /// </summary>
    public string? Publisher { get; } = publisher;

    /// <summary>When it expires (5.0 §3.3.2.3.3 Message Expiry Interval), if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    /// <summary>True when it has expired by <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && at <= now;

    /// <summary>The same message with another payload (a delivery filter's transform, <see cref="IDeliveryFilter"/>).</summary>
    public MqttMessage WithPayload(ReadOnlyMemory<byte> payload) => new(Topic, payload, QoS, Retain, Properties, SenderClientId, ExpiresAt, Publisher);

    /// <summary>The same message without its retain flag and with another QoS (retained copies and downgrades).</summary>
    public MqttMessage With(MqttQualityOfService qos, bool retain) =>
        qos == QoS && retain == Retain ? this : new MqttMessage(Topic, Payload, qos, retain, Properties, SenderClientId, ExpiresAt, Publisher);
}
