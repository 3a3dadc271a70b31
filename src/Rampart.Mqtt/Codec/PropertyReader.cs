using Rampart.Mqtt.Packets;

namespace Rampart.Mqtt.Codec;

/// <summary>Decodes a property block (§2.2.2): its length, then identifier/value pairs, each checked against where it stands.</summary>
internal static class PropertyReader
{
    public static MqttProperties Read(ref PacketReader reader, ulong allowed, string where, bool subscriptionIdentifiersRepeat = false)
    {
        var length = reader.ReadVariableByteInteger("the {0} property length", where);
        if (length == 0)
        {
            return MqttProperties.Empty;
        }

        var block = new PacketReader(reader.ReadSlice(length, $"the {where} properties"));
        var seen = 0UL;
        var properties = new MqttProperties();
        List<UserProperty>? user = null;
        List<uint>? subscriptionIds = null;
        while (!block.End)
        {
            var id = block.ReadVariableByteInteger("a property identifier");
            if (id > 63 || (allowed & (1UL << (int)id)) == 0)
            {
                // §2.2.2.2: an identifier not valid for the packet makes it malformed.
                throw MalformedPacketException.Malformed($"property 0x{id:X2} is not allowed in {where}");
            }

            var repeatable = id == PropertyId.UserProperty || (id == PropertyId.SubscriptionIdentifier && subscriptionIdentifiersRepeat);
            if (!repeatable && (seen & (1UL << (int)id)) != 0)
            {
                throw MalformedPacketException.Protocol($"property 0x{id:X2} appears twice in {where}");
            }

            seen |= 1UL << (int)id;
            properties = id switch
            {
                PropertyId.PayloadFormatIndicator => properties with { PayloadFormatIndicator = Boolean(ref block, "payload format indicator") },
                PropertyId.MessageExpiryInterval => properties with { MessageExpiryInterval = block.ReadUInt32("message expiry interval") },
                PropertyId.ContentType => properties with { ContentType = block.ReadString("content type") },
                PropertyId.ResponseTopic => properties with { ResponseTopic = ResponseTopic(block.ReadString("response topic")) },
                PropertyId.CorrelationData => properties with { CorrelationData = block.ReadBinary("correlation data") },
                PropertyId.SubscriptionIdentifier => Add(ref subscriptionIds, NonZero(block.ReadVariableByteInteger("subscription identifier"), "subscription identifier"), properties),
                PropertyId.SessionExpiryInterval => properties with { SessionExpiryInterval = block.ReadUInt32("session expiry interval") },
                PropertyId.AssignedClientIdentifier => properties with { AssignedClientIdentifier = block.ReadString("assigned client identifier") },
                PropertyId.ServerKeepAlive => properties with { ServerKeepAlive = block.ReadUInt16("server keep alive") },
                PropertyId.AuthenticationMethod => properties with { AuthenticationMethod = block.ReadString("authentication method") },
                PropertyId.AuthenticationData => properties with { AuthenticationData = block.ReadBinary("authentication data") },
                PropertyId.RequestProblemInformation => properties with { RequestProblemInformation = Boolean(ref block, "request problem information") },
                PropertyId.WillDelayInterval => properties with { WillDelayInterval = block.ReadUInt32("will delay interval") },
                PropertyId.RequestResponseInformation => properties with { RequestResponseInformation = Boolean(ref block, "request response information") },
                PropertyId.ResponseInformation => properties with { ResponseInformation = block.ReadString("response information") },
                PropertyId.ServerReference => properties with { ServerReference = block.ReadString("server reference") },
                PropertyId.ReasonString => properties with { ReasonString = block.ReadString("reason string") },
                PropertyId.ReceiveMaximum => properties with { ReceiveMaximum = (ushort)NonZero(block.ReadUInt16("receive maximum"), "receive maximum") },
                PropertyId.TopicAliasMaximum => properties with { TopicAliasMaximum = block.ReadUInt16("topic alias maximum") },
                PropertyId.TopicAlias => properties with { TopicAlias = (ushort)NonZero(block.ReadUInt16("topic alias"), "topic alias") },
                PropertyId.MaximumQoS => properties with { MaximumQoS = Boolean(ref block, "maximum QoS") },
                PropertyId.RetainAvailable => properties with { RetainAvailable = Boolean(ref block, "retain available") },
                PropertyId.UserProperty => Add(ref user, new UserProperty(block.ReadString("user property name"), block.ReadString("user property value")), properties),
                PropertyId.MaximumPacketSize => properties with { MaximumPacketSize = NonZero(block.ReadUInt32("maximum packet size"), "maximum packet size") },
                PropertyId.WildcardSubscriptionAvailable => properties with { WildcardSubscriptionAvailable = Boolean(ref block, "wildcard subscription available") },
                PropertyId.SubscriptionIdentifierAvailable => properties with { SubscriptionIdentifierAvailable = Boolean(ref block, "subscription identifier available") },
                PropertyId.SharedSubscriptionAvailable => properties with { SharedSubscriptionAvailable = Boolean(ref block, "shared subscription available") },
                _ => throw MalformedPacketException.Malformed($"unknown property 0x{id:X2}"),
            };
        }

        return properties with
        {
            UserProperties = user is null ? [] : user,
            SubscriptionIdentifiers = subscriptionIds is null ? [] : subscriptionIds,
        };
    }

    // §3.1.2.11.x and others: these byte properties take 0 or 1 only; another value is a protocol error.
    private static byte Boolean(ref PacketReader reader, string what)
    {
        var value = reader.ReadByte(what);
        return value <= 1 ? value : throw MalformedPacketException.Protocol($"{what} must be 0 or 1, not {value}");
    }

    private static uint NonZero(uint value, string what) =>
        value != 0 ? value : throw MalformedPacketException.Protocol($"{what} must not be 0");

    // §3.3.2.3.5: the response topic is a topic name: no wildcards.
    private static string ResponseTopic(string topic) =>
        Topics.MqttTopics.IsValidTopicName(topic) ? topic : throw MalformedPacketException.Protocol("the response topic is not a valid topic name");

    private static MqttProperties Add<T>(ref List<T>? list, T item, MqttProperties properties)
    {
        (list ??= []).Add(item);
        return properties;
    }
}
