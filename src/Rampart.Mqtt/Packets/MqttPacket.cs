using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>A decoded or to-be-encoded control packet.</summary>
public abstract record MqttPacket
{
    /// <summary>The control packet type.</summary>
    public abstract MqttPacketType Type { get; }
}
