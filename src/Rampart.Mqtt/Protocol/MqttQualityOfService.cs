namespace Rampart.Mqtt.Protocol;

/// <summary>Delivery guarantees (MQTT 5.0 §4.3).</summary>
public enum MqttQualityOfService : byte
{
    /// <summary>At most once.</summary>
    AtMostOnce = 0,

    /// <summary>At least once (PUBACK).</summary>
    AtLeastOnce = 1,

    /// <summary>Exactly once (PUBREC, PUBREL, PUBCOMP).</summary>
    ExactlyOnce = 2,
}
