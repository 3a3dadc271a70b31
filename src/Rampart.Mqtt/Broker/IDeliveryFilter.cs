namespace Rampart.Mqtt.Broker;

/// <summary>
/// An optional last word on each delivery: asked when a routed message is about to be handed to one
/// subscriber's session (live, retained, or from the fabric), after that subscriber's subscription
/// was admitted. It may let the message through unchanged, hand this subscriber another payload
/// (minimisation), or refuse it for this subscriber alone. The broker knows nothing of why; the host
/// records its reasons. Without a filter the broker pays one null check per delivery. Called
/// concurrently from publishers' loops: implementations are thread-safe and do not block.
/// </summary>
public interface IDeliveryFilter
{
    /// <summary>Decides the delivery of <paramref name="message"/> to the session <paramref name="subscriber"/> rules on.</summary>
    DeliveryDecision Decide(MqttMessage message, IMqttClientPolicy subscriber);
}

/// <summary>What an <see cref="IDeliveryFilter"/> decided for one delivery.</summary>
public readonly struct DeliveryDecision
{
    private DeliveryDecision(DeliveryVerdict verdict, ReadOnlyMemory<byte> payload, string? reason)
    {
        Verdict = verdict;
        Payload = payload;
        Reason = reason;
    }

    /// <summary>Deliver, refuse, or deliver another payload.</summary>
    public DeliveryVerdict Verdict { get; }

    /// <summary>The payload this subscriber gets (with <see cref="DeliveryVerdict.Transform"/>).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Why it was refused (with <see cref="DeliveryVerdict.Refuse"/>); passed to <see cref="IMqttClientPolicy.OnDropped"/>.</summary>
    public string? Reason { get; }

    /// <summary>Deliver the message as it was published.</summary>
    public static DeliveryDecision Unchanged => default;

    /// <summary>Deliver the message with <paramref name="payload"/> instead of its own (topic, QoS and properties unchanged).</summary>
    public static DeliveryDecision Transform(ReadOnlyMemory<byte> payload) => new(DeliveryVerdict.Transform, payload, null);

    /// <summary>Do not deliver it to this subscriber.</summary>
    public static DeliveryDecision Refuse(string reason) => new(DeliveryVerdict.Refuse, default, reason);
}

/// <summary>The three answers of an <see cref="IDeliveryFilter"/>.</summary>
public enum DeliveryVerdict
{
    /// <summary>Deliver as published.</summary>
    Unchanged,

    /// <summary>Deliver with another payload.</summary>
    Transform,

    /// <summary>Do not deliver.</summary>
    Refuse,
}
