using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Codec;

/// <summary>Why input was refused: the reason code the spec requires (DISCONNECT or CONNACK in 5.0) and a message for logs.</summary>
public readonly record struct MqttDecodeError(MqttReasonCode ReasonCode, string Message);
