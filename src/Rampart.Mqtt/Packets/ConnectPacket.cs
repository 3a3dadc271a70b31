using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Packets;

/// <summary>CONNECT (MQTT 5.0 §3.1; 3.1.1 §3.1).</summary>
public sealed record ConnectPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Connect;

    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;

    /// <summary>Clean Start (5.0) or Clean Session (3.1.1).</summary>
    public bool CleanStart { get; init; } = true;

    public ushort KeepAliveSeconds { get; init; }

    public string ClientId { get; init; } = string.Empty;

    public WillMessage? Will { get; init; }

    public string? UserName { get; init; }

    public ReadOnlyMemory<byte>? Password { get; init; }

    public MqttProperties Properties { get; init; } = MqttProperties.Empty;

    /// <inheritdoc />
    public bool Equals(ConnectPacket? other) =>
        other is not null && ProtocolVersion == other.ProtocolVersion && CleanStart == other.CleanStart && KeepAliveSeconds == other.KeepAliveSeconds
        && ClientId == other.ClientId && Equals(Will, other.Will) && UserName == other.UserName
        && (Password is null ? other.Password is null : other.Password is not null && Password.Value.Span.SequenceEqual(other.Password.Value.Span))
        && Properties.Equals(other.Properties);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ClientId, KeepAliveSeconds, UserName);
}

/// <summary>The will a CONNECT carries: published if the connection ends without a clean DISCONNECT.</summary>
public sealed record WillMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfService QoS, bool Retain)
{
    public MqttProperties Properties { get; init; } = MqttProperties.Empty;

    /// <inheritdoc />
    public bool Equals(WillMessage? other) =>
        other is not null && Topic == other.Topic && Payload.Span.SequenceEqual(other.Payload.Span) && QoS == other.QoS && Retain == other.Retain
        && Properties.Equals(other.Properties);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Topic, QoS, Retain);
}
