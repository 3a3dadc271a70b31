using System.Text;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker.Persistence;

/// <summary>
/// The stored form of a <see cref="SessionState"/>: a version byte, then fields little-endian, each
/// message in <see cref="StoredMessageCodec"/>'s form (an MQTT 5 PUBLISH packet from the broker's own
/// codec, so every forwarded property survives, with who published it and when it expires beside it). Read back with the same limits a
/// client's packets meet; anything malformed is refused as a whole (the session is not resumed).
/// </summary>
public static class SessionStateCodec
{
    private const byte Version = 1;

    public static byte[] Encode(SessionState state)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        using var messages = new StoredMessageCodec();
        writer.Write(Version);
        writer.Write(state.ExpirySeconds);
        writer.Write((ushort)state.AwaitingRelease.Count);
        foreach (var id in state.AwaitingRelease)
        {
            writer.Write(id);
        }

        writer.Write((ushort)state.Subscriptions.Count);
        foreach (var subscription in state.Subscriptions)
        {
            writer.Write(subscription.Filter);
            writer.Write((byte)subscription.MaximumQoS);
            writer.Write((byte)((subscription.NoLocal ? 1 : 0) | (subscription.RetainAsPublished ? 2 : 0)));
            writer.Write(subscription.SubscriptionId);
        }

        writer.Write(state.Messages.Count);
        foreach (var delivery in state.Messages)
        {
            writer.Write(delivery.PacketId);
            writer.Write(delivery.Released);
            writer.Write((byte)delivery.QoS);
            writer.Write(delivery.Retain);
            writer.Write((byte)delivery.SubscriptionIds.Count);
            foreach (var id in delivery.SubscriptionIds)
            {
                writer.Write(id);
            }

            messages.Write(writer, delivery.Message);
        }

        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>Reads a stored state back; null with <paramref name="problem"/> when it is not a whole, valid one.</summary>
    public static SessionState? Decode(string clientId, string owner, byte[] bytes, uint maximumPacketSize, out string? problem)
    {
        problem = null;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Version)
            {
                problem = "unknown session state version";
                return null;
            }

            var expiry = reader.ReadUInt32();
            var awaiting = new ushort[reader.ReadUInt16()];
            for (var i = 0; i < awaiting.Length; i++)
            {
                awaiting[i] = reader.ReadUInt16();
            }

            var subscriptions = new PersistedSubscription[reader.ReadUInt16()];
            for (var i = 0; i < subscriptions.Length; i++)
            {
                var filter = reader.ReadString();
                var qos = (MqttQualityOfService)reader.ReadByte();
                var flags = reader.ReadByte();
                subscriptions[i] = new PersistedSubscription(filter, qos, (flags & 1) != 0, (flags & 2) != 0, reader.ReadUInt32());
            }

            var count = reader.ReadInt32();
            if (count < 0 || count > bytes.Length)
            {
                problem = "bad message count";
                return null;
            }

            var decoder = new MqttDecoder(maximumPacketSize) { Version = MqttProtocolVersion.V500 };
            var messages = new List<PersistedDelivery>(count);
            for (var i = 0; i < count; i++)
            {
                var packetId = reader.ReadUInt16();
                var released = reader.ReadBoolean();
                var qos = (MqttQualityOfService)reader.ReadByte();
                var retain = reader.ReadBoolean();
                var ids = new uint[reader.ReadByte()];
                for (var j = 0; j < ids.Length; j++)
                {
                    ids[j] = reader.ReadUInt32();
                }

                if (StoredMessageCodec.Read(reader, decoder, maximumPacketSize, out problem) is not { } message)
                {
                    return null;
                }

                messages.Add(new PersistedDelivery(packetId, released, message, qos, retain, ids));
            }

            return new SessionState(clientId, owner, expiry, subscriptions, messages, awaiting);
        }
        catch (Exception exception) when (exception is EndOfStreamException or IOException or DecoderFallbackException or FormatException)
        {
            problem = "truncated session state: " + exception.GetType().Name;
            return null;
        }
    }
}
