using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>What a session asked for with one filter (5.0 §3.8.3.1 subscription options).</summary>
internal readonly record struct Subscription(MqttQualityOfService MaximumQoS, bool NoLocal, bool RetainAsPublished, uint SubscriptionId);

/// <summary>One message on its way to one session, at the QoS and retain flag that session gets.</summary>
internal readonly record struct Delivery(MqttMessage Message, MqttQualityOfService QoS, bool Retain, IReadOnlyList<uint> SubscriptionIds)
{
    public static IReadOnlyList<uint> NoIds { get; } = [];
}
