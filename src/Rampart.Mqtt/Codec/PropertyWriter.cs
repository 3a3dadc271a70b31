using System.Buffers;
using Rampart.Mqtt.Packets;

namespace Rampart.Mqtt.Codec;

/// <summary>Encodes the properties that are present, in identifier order.</summary>
internal static class PropertyWriter
{
    public static void Write(IBufferWriter<byte> w, MqttProperties p)
    {
        if (ReferenceEquals(p, MqttProperties.Empty))
        {
            return;
        }

        Byte(w, PropertyId.PayloadFormatIndicator, p.PayloadFormatIndicator);
        UInt32(w, PropertyId.MessageExpiryInterval, p.MessageExpiryInterval);
        String(w, PropertyId.ContentType, p.ContentType);
        String(w, PropertyId.ResponseTopic, p.ResponseTopic);
        Binary(w, PropertyId.CorrelationData, p.CorrelationData);
        foreach (var id in p.SubscriptionIdentifiers)
        {
            WireWriter.Byte(w, PropertyId.SubscriptionIdentifier);
            WireWriter.VariableByteInteger(w, id);
        }

        UInt32(w, PropertyId.SessionExpiryInterval, p.SessionExpiryInterval);
        String(w, PropertyId.AssignedClientIdentifier, p.AssignedClientIdentifier);
        UInt16(w, PropertyId.ServerKeepAlive, p.ServerKeepAlive);
        String(w, PropertyId.AuthenticationMethod, p.AuthenticationMethod);
        Binary(w, PropertyId.AuthenticationData, p.AuthenticationData);
        Byte(w, PropertyId.RequestProblemInformation, p.RequestProblemInformation);
        UInt32(w, PropertyId.WillDelayInterval, p.WillDelayInterval);
        Byte(w, PropertyId.RequestResponseInformation, p.RequestResponseInformation);
        String(w, PropertyId.ResponseInformation, p.ResponseInformation);
        String(w, PropertyId.ServerReference, p.ServerReference);
        String(w, PropertyId.ReasonString, p.ReasonString);
        UInt16(w, PropertyId.ReceiveMaximum, p.ReceiveMaximum);
        UInt16(w, PropertyId.TopicAliasMaximum, p.TopicAliasMaximum);
        UInt16(w, PropertyId.TopicAlias, p.TopicAlias);
        Byte(w, PropertyId.MaximumQoS, p.MaximumQoS);
        Byte(w, PropertyId.RetainAvailable, p.RetainAvailable);
        foreach (var user in p.UserProperties)
        {
            WireWriter.Byte(w, PropertyId.UserProperty);
            WireWriter.String(w, user.Name);
            WireWriter.String(w, user.Value);
        }

        UInt32(w, PropertyId.MaximumPacketSize, p.MaximumPacketSize);
        Byte(w, PropertyId.WildcardSubscriptionAvailable, p.WildcardSubscriptionAvailable);
        Byte(w, PropertyId.SubscriptionIdentifierAvailable, p.SubscriptionIdentifierAvailable);
        Byte(w, PropertyId.SharedSubscriptionAvailable, p.SharedSubscriptionAvailable);
    }

    private static void Byte(IBufferWriter<byte> w, byte id, byte? value)
    {
        if (value is { } v)
        {
            WireWriter.Byte(w, id);
            WireWriter.Byte(w, v);
        }
    }

    private static void UInt16(IBufferWriter<byte> w, byte id, ushort? value)
    {
        if (value is { } v)
        {
            WireWriter.Byte(w, id);
            WireWriter.UInt16(w, v);
        }
    }

    private static void UInt32(IBufferWriter<byte> w, byte id, uint? value)
    {
        if (value is { } v)
        {
            WireWriter.Byte(w, id);
            WireWriter.UInt32(w, v);
        }
    }

    private static void String(IBufferWriter<byte> w, byte id, string? value)
    {
        if (value is not null)
        {
            WireWriter.Byte(w, id);
            WireWriter.String(w, value);
        }
    }

    private static void Binary(IBufferWriter<byte> w, byte id, ReadOnlyMemory<byte>? value)
    {
        if (value is { } v)
        {
            WireWriter.Byte(w, id);
            WireWriter.Binary(w, v.Span);
        }
    }
}
