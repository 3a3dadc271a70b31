namespace Rampart.Mqtt.Codec;

/// <summary>Property identifiers (MQTT 5.0 §2.2.2.2, table 2-4).</summary>
internal static class PropertyId
{
    public const byte PayloadFormatIndicator = 0x01;
    public const byte MessageExpiryInterval = 0x02;
    public const byte ContentType = 0x03;
    public const byte ResponseTopic = 0x08;
    public const byte CorrelationData = 0x09;
    public const byte SubscriptionIdentifier = 0x0B;
    public const byte SessionExpiryInterval = 0x11;
    public const byte AssignedClientIdentifier = 0x12;
    public const byte ServerKeepAlive = 0x13;
    public const byte AuthenticationMethod = 0x15;
    public const byte AuthenticationData = 0x16;
    public const byte RequestProblemInformation = 0x17;
    public const byte WillDelayInterval = 0x18;
    public const byte RequestResponseInformation = 0x19;
    public const byte ResponseInformation = 0x1A;
    public const byte ServerReference = 0x1C;
    public const byte ReasonString = 0x1F;
    public const byte ReceiveMaximum = 0x21;
    public const byte TopicAliasMaximum = 0x22;
    public const byte TopicAlias = 0x23;
    public const byte MaximumQoS = 0x24;
    public const byte RetainAvailable = 0x25;
    public const byte UserProperty = 0x26;
    public const byte MaximumPacketSize = 0x27;
    public const byte WildcardSubscriptionAvailable = 0x28;
    public const byte SubscriptionIdentifierAvailable = 0x29;
    public const byte SharedSubscriptionAvailable = 0x2A;
}

/// <summary>Which properties each place may carry (MQTT 5.0 §3.x.2.2 of each packet), as bit sets over identifiers.</summary>
internal static class AllowedProperties
{
    public static readonly ulong Connect = Set(PropertyId.SessionExpiryInterval, PropertyId.ReceiveMaximum, PropertyId.MaximumPacketSize,
        PropertyId.TopicAliasMaximum, PropertyId.RequestResponseInformation, PropertyId.RequestProblemInformation, PropertyId.UserProperty,
        PropertyId.AuthenticationMethod, PropertyId.AuthenticationData);

    public static readonly ulong Will = Set(PropertyId.WillDelayInterval, PropertyId.PayloadFormatIndicator, PropertyId.MessageExpiryInterval,
        PropertyId.ContentType, PropertyId.ResponseTopic, PropertyId.CorrelationData, PropertyId.UserProperty);

    public static readonly ulong ConnAck = Set(PropertyId.SessionExpiryInterval, PropertyId.ReceiveMaximum, PropertyId.MaximumQoS,
        PropertyId.RetainAvailable, PropertyId.MaximumPacketSize, PropertyId.AssignedClientIdentifier, PropertyId.TopicAliasMaximum,
        PropertyId.ReasonString, PropertyId.UserProperty, PropertyId.WildcardSubscriptionAvailable, PropertyId.SubscriptionIdentifierAvailable,
        PropertyId.SharedSubscriptionAvailable, PropertyId.ServerKeepAlive, PropertyId.ResponseInformation, PropertyId.ServerReference,
        PropertyId.AuthenticationMethod, PropertyId.AuthenticationData);

    public static readonly ulong Publish = Set(PropertyId.PayloadFormatIndicator, PropertyId.MessageExpiryInterval, PropertyId.TopicAlias,
        PropertyId.ResponseTopic, PropertyId.CorrelationData, PropertyId.UserProperty, PropertyId.SubscriptionIdentifier, PropertyId.ContentType);

    public static readonly ulong Response = Set(PropertyId.ReasonString, PropertyId.UserProperty);

    public static readonly ulong Subscribe = Set(PropertyId.SubscriptionIdentifier, PropertyId.UserProperty);

    public static readonly ulong Unsubscribe = Set(PropertyId.UserProperty);

    public static readonly ulong Disconnect = Set(PropertyId.SessionExpiryInterval, PropertyId.ReasonString, PropertyId.UserProperty, PropertyId.ServerReference);

    public static readonly ulong Auth = Set(PropertyId.AuthenticationMethod, PropertyId.AuthenticationData, PropertyId.ReasonString, PropertyId.UserProperty);

    private static ulong Set(params byte[] ids) => ids.Aggregate(0UL, (set, id) => set | (1UL << id));
}
