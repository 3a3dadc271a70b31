using System.Buffers;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker.Persistence;

/// <summary>
/// One broker message as stored (persistent sessions' queued messages, retained messages): who sent
/// it and who published it, when it expires, then the message as an MQTT 5 PUBLISH packet from the
/// broker's own codec, so every forwarded property survives (user properties, content type,
/// response topic, correlation data). Read back with the limits a client's packets meet.
/// </summary>
internal sealed class StoredMessageCodec : IDisposable
{
    private readonly MqttEncoder _encoder = new();
    private readonly ArrayBufferWriter<byte> _packet = new();

    public void Write(BinaryWriter writer, MqttMessage message)
    {
        writer.Write(message.SenderClientId);
        writer.Write(message.Publisher is not null);
        writer.Write(message.Publisher ?? string.Empty);
        writer.Write(message.ExpiresAt?.ToUnixTimeMilliseconds() ?? -1);
        _packet.ResetWrittenCount();
        _encoder.EncodePublish(message.Topic, message.Payload.Span, message.QoS, message.Retain, duplicate: false,
            packetId: message.QoS == MqttQualityOfService.AtMostOnce ? (ushort)0 : (ushort)1, message.Properties, MqttProtocolVersion.V500, _packet);
        writer.Write(_packet.WrittenCount);
        writer.Write(_packet.WrittenSpan);
    }

    /// <summary>The message written by <see cref="Write"/>; null with <paramref name="problem"/> when it is not a whole, valid PUBLISH within the limit.</summary>
    public static MqttMessage? Read(BinaryReader reader, MqttDecoder decoder, uint maximumPacketSize, out string? problem)
    {
        problem = null;
        var sender = reader.ReadString();
        var hasPublisher = reader.ReadBoolean();
        var publisher = reader.ReadString();
        var expiresAt = reader.ReadInt64();
        var length = reader.ReadInt32();
        if (length < 0 || length > maximumPacketSize)
        {
            problem = "a stored message is above the packet size limit";
            return null;
        }

        var body = reader.ReadBytes(length);
        if (decoder.TryDecode(new ReadOnlySequence<byte>(body), out var decoded, out _, out var error) != MqttDecodeStatus.Complete || decoded is not PublishPacket publish)
        {
            problem = "a stored message is not a whole PUBLISH: " + error.Message;
            return null;
        }

        return new MqttMessage(publish.Topic, publish.Payload, publish.QoS, publish.Retain, publish.Properties, sender,
            expiresAt < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(expiresAt), hasPublisher ? publisher : null);
    }

    public void Dispose() => _encoder.Dispose();
}
