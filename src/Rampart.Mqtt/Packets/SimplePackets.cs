using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>PINGREQ (§3.12).</summary>
public sealed record PingReqPacket : MqttPacket
{
    public static PingReqPacket Instance { get; } = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingReq;
}

/// <summary>PINGRESP (§3.13).</summary>
public sealed record PingRespPacket : MqttPacket
{
    public static PingRespPacket Instance { get; } = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingResp;
}

/// <summary>DISCONNECT (§3.14): in 5.0 with a reason code and properties, either direction.</summary>
public sealed record DisconnectPacket(MqttReasonCode ReasonCode = MqttReasonCode.Success) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Disconnect;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;
}

/// <summary>AUTH (§3.15, 5.0 only): extended authentication exchange.</summary>
public sealed record AuthPacket(MqttReasonCode ReasonCode = MqttReasonCode.Success) : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Auth;

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;
}
