using System.Buffers;
using System.Globalization;
using NATS.Client.Core;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Cluster.Fabric;

/// <summary>
/// An MQTT message as it crosses nodes: the body is the message as an MQTT 5 PUBLISH packet (the
/// broker's own codec, so every forwarded property survives), the headers say which node sent it
/// (origin and a per-node sequence, to drop echoes and duplicates), who published it and when it expires.
/// </summary>
internal static class RemoteMessages
{
    public const string Origin = "Rampart-Origin";
    public const string Sequence = "Rampart-Seq";
    public const string Sender = "Rampart-Sender";
    public const string Publisher = "Rampart-Publisher";
    public const string ExpiresAt = "Rampart-Expires";

    /// <summary>A retained message's version (<see cref="MqttMessage.RetainedAt"/>), UTC ticks: every node keeps the latest.</summary>
    public const string RetainedAt = "Rampart-Retained-At";

    /// <summary>The largest body accepted from NATS (nats-server's default max_payload is 1 MiB).</summary>
    public const uint MaximumBody = 8 * 1024 * 1024;

    public static (byte[] Body, NatsHeaders Headers) Encode(MqttMessage message, string origin, long sequence, MqttEncoder encoder)
    {
        var body = new ArrayBufferWriter<byte>(message.Payload.Length + message.Topic.Length + 32);
        var headers = Encode(message, origin, sequence, encoder, body);
        return (body.WrittenSpan.ToArray(), headers);
    }

    /// <summary>Writes the body into <paramref name="body"/> (a buffer the caller reuses once NATS has copied it) and returns the headers.</summary>
    public static NatsHeaders Encode(MqttMessage message, string origin, long sequence, MqttEncoder encoder, IBufferWriter<byte> body)
    {
        encoder.EncodePublish(message.Topic, message.Payload.Span, message.QoS, message.Retain, duplicate: false,
            packetId: message.QoS == MqttQualityOfService.AtMostOnce ? (ushort)0 : (ushort)1, message.Properties, MqttProtocolVersion.V500, body);
        var headers = new NatsHeaders
        {
            [Origin] = origin,
            [Sequence] = sequence.ToString(CultureInfo.InvariantCulture),

            // Header values are ASCII on the wire; client ids and principals may not be.
            [Sender] = Uri.EscapeDataString(message.SenderClientId),
        };
        if (message.Publisher is { } publisher)
        {
            headers[Publisher] = Uri.EscapeDataString(publisher);
        }

        if (message.ExpiresAt is { } expires)
        {
            headers[ExpiresAt] = expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        }

        if (message.Retain && message.RetainedAt is { } retainedAt)
        {
            headers[RetainedAt] = retainedAt.UtcTicks.ToString(CultureInfo.InvariantCulture);
        }

        return headers;
    }

    /// <summary>A decoder for <see cref="Decode"/>: one per reading loop, so its topic-name cache serves the loop's messages.</summary>
    public static MqttDecoder NewDecoder() => new(MaximumBody) { Version = MqttProtocolVersion.V500 };

    /// <summary>The message in a NATS message, or null (with why) when it is not one of ours.</summary>
    public static MqttMessage? Decode(ReadOnlyMemory<byte> body, NatsHeaders? headers, MqttDecoder decoder, out string? problem)
    {
        problem = null;
        if (headers is null || !headers.TryGetValue(Sender, out var sender))
        {
            problem = "no Rampart headers";
            return null;
        }

        var status = decoder.TryDecode(new ReadOnlySequence<byte>(body), out var packet, out _, out var error);
        if (status != MqttDecodeStatus.Complete || packet is not PublishPacket publish)
        {
            problem = status == MqttDecodeStatus.Malformed ? "malformed PUBLISH: " + error.Message : "not a whole PUBLISH";
            return null;
        }

        DateTimeOffset? expiresAt = null;
        if (headers.TryGetValue(ExpiresAt, out var expires))
        {
            if (!long.TryParse(expires.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                problem = "bad " + ExpiresAt;
                return null;
            }

            expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }

        DateTimeOffset? retainedAt = null;
        if (headers.TryGetValue(RetainedAt, out var version))
        {
            if (!long.TryParse(version.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                problem = "bad " + RetainedAt;
                return null;
            }

            retainedAt = new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        var publisher = headers.TryGetValue(Publisher, out var principal) ? Uri.UnescapeDataString(principal.ToString()) : null;
        var message = new MqttMessage(publish.Topic, publish.Payload, publish.QoS, publish.Retain, publish.Properties,
            Uri.UnescapeDataString(sender.ToString()), expiresAt, publisher);
        return retainedAt is { } at ? message.StampRetainedAt(at) : message;
    }

    /// <summary>The origin node and sequence of a NATS message from a node, if it carries them.</summary>
    public static bool TryOrigin(NatsHeaders? headers, out string origin, out long sequence)
    {
        origin = string.Empty;
        sequence = 0;
        if (headers is null || !headers.TryGetValue(Origin, out var value) || !headers.TryGetValue(Sequence, out var number))
        {
            return false;
        }

        origin = value.ToString();
        return long.TryParse(number.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}
