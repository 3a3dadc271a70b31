using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Codec;

/// <summary>Raised inside the decoder on a rule violation; never escapes it (TryDecode turns it into a result).</summary>
internal sealed class MalformedPacketException(MqttReasonCode reasonCode, string message) : Exception(message)
{
    public MqttReasonCode ReasonCode { get; } = reasonCode;

    public static MalformedPacketException Malformed(string message) => new(MqttReasonCode.MalformedPacket, message);

    public static MalformedPacketException Protocol(string message) => new(MqttReasonCode.ProtocolError, message);
}
