using System.Text;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker.Persistence;

/// <summary>The stored form of one retained message: a version byte, then <see cref="StoredMessageCodec"/>'s form.</summary>
public static class RetainedMessageCodec
{
    private const byte Version = 1;

    public static byte[] Encode(MqttMessage message)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        using var codec = new StoredMessageCodec();
        writer.Write(Version);
        codec.Write(writer, message);
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>The message back, retained; null with <paramref name="problem"/> when it is not a whole, valid one.</summary>
    public static MqttMessage? Decode(byte[] bytes, uint maximumPacketSize, out string? problem)
    {
        problem = null;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Version)
            {
                problem = "unknown retained message version";
                return null;
            }

            var message = StoredMessageCodec.Read(reader, new MqttDecoder(maximumPacketSize) { Version = MqttProtocolVersion.V500 }, maximumPacketSize, out problem);
            if (message is not null && !message.Retain)
            {
                problem = "a stored retained message is not flagged retained";
                return null;
            }

            return message;
        }
        catch (Exception exception) when (exception is EndOfStreamException or IOException or DecoderFallbackException or FormatException)
        {
            problem = "truncated retained message: " + exception.GetType().Name;
            return null;
        }
    }
}
