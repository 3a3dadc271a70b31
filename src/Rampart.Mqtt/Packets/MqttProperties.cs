namespace Rampart.Mqtt.Packets;

/// <summary>
/// MQTT 5.0 properties (§2.2.2.2). Every property is optional; which ones a packet may carry is
/// checked by the codec. Null means absent, so a property set to its default stays distinguishable.
/// </summary>
public sealed record MqttProperties
{
    /// <summary>An empty set, shared.</summary>
    public static MqttProperties Empty { get; } = new();

    public byte? PayloadFormatIndicator { get; init; }

    public uint? MessageExpiryInterval { get; init; }

    public string? ContentType { get; init; }

    public string? ResponseTopic { get; init; }

    public ReadOnlyMemory<byte>? CorrelationData { get; init; }

    /// <summary>In PUBLISH (server to client) it may repeat; elsewhere at most one.</summary>
    public IReadOnlyList<uint> SubscriptionIdentifiers { get; init; } = [];

    public uint? SessionExpiryInterval { get; init; }

    public string? AssignedClientIdentifier { get; init; }

    public ushort? ServerKeepAlive { get; init; }

    public string? AuthenticationMethod { get; init; }

    public ReadOnlyMemory<byte>? AuthenticationData { get; init; }

    public byte? RequestProblemInformation { get; init; }

    public uint? WillDelayInterval { get; init; }

    public byte? RequestResponseInformation { get; init; }

    public string? ResponseInformation { get; init; }

    public string? ServerReference { get; init; }

    public string? ReasonString { get; init; }

    public ushort? ReceiveMaximum { get; init; }

    public ushort? TopicAliasMaximum { get; init; }

    public ushort? TopicAlias { get; init; }

    public byte? MaximumQoS { get; init; }

    public byte? RetainAvailable { get; init; }

    public IReadOnlyList<UserProperty> UserProperties { get; init; } = [];

    public uint? MaximumPacketSize { get; init; }

    public byte? WildcardSubscriptionAvailable { get; init; }

    public byte? SubscriptionIdentifierAvailable { get; init; }

    public byte? SharedSubscriptionAvailable { get; init; }

    /// <summary>Record equality compares lists and byte payloads by content.</summary>
    public bool Equals(MqttProperties? other) =>
        other is not null
        && PayloadFormatIndicator == other.PayloadFormatIndicator && MessageExpiryInterval == other.MessageExpiryInterval
        && ContentType == other.ContentType && ResponseTopic == other.ResponseTopic && SameBytes(CorrelationData, other.CorrelationData)
        && SubscriptionIdentifiers.SequenceEqual(other.SubscriptionIdentifiers) && SessionExpiryInterval == other.SessionExpiryInterval
        && AssignedClientIdentifier == other.AssignedClientIdentifier && ServerKeepAlive == other.ServerKeepAlive
        && AuthenticationMethod == other.AuthenticationMethod && SameBytes(AuthenticationData, other.AuthenticationData)
        && RequestProblemInformation == other.RequestProblemInformation && WillDelayInterval == other.WillDelayInterval
        && RequestResponseInformation == other.RequestResponseInformation && ResponseInformation == other.ResponseInformation
        && ServerReference == other.ServerReference && ReasonString == other.ReasonString && ReceiveMaximum == other.ReceiveMaximum
        && TopicAliasMaximum == other.TopicAliasMaximum && TopicAlias == other.TopicAlias && MaximumQoS == other.MaximumQoS
        && RetainAvailable == other.RetainAvailable && UserProperties.SequenceEqual(other.UserProperties) && MaximumPacketSize == other.MaximumPacketSize
        && WildcardSubscriptionAvailable == other.WildcardSubscriptionAvailable && SubscriptionIdentifierAvailable == other.SubscriptionIdentifierAvailable
        && SharedSubscriptionAvailable == other.SharedSubscriptionAvailable;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ContentType, ResponseTopic, SessionExpiryInterval, ReasonString, TopicAlias, UserProperties.Count);

    private static bool SameBytes(ReadOnlyMemory<byte>? a, ReadOnlyMemory<byte>? b) =>
        a is null ? b is null : b is not null && a.Value.Span.SequenceEqual(b.Value.Span);
}
