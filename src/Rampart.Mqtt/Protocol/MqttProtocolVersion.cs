namespace Rampart.Mqtt.Protocol;

/// <summary>The protocol levels Rampart speaks (the CONNECT packet's Protocol Level byte).</summary>
public enum MqttProtocolVersion : byte
{
    /// <summary>MQTT 3.1.1 (OASIS 2014), level 4.</summary>
    V311 = 4,

    /// <summary>MQTT 5.0 (OASIS 2019), level 5.</summary>
    V500 = 5,
}
