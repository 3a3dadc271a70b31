using System.IO.Pipelines;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>The write loop: drains the outbound queue, encodes and flushes in batches.</summary>
internal sealed partial class MqttConnection
{
    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        var output = _transport.Output;
        var reader = _outbound.Reader;
        using var encoder = new MqttEncoder();
        try
        {
            while (await reader.WaitToReadAsync())
            {
                var unflushed = 0;
                while (reader.TryRead(out var item))
                {
                    Interlocked.Decrement(ref _queuedTotal);
                    Interlocked.Increment(ref _written);
                    if (_stuck)
                    {
                        _stuck = false;
                    }
                    unflushed += Write(encoder, item, output);
                    if (unflushed >= FlushThresholdBytes)
                    {
                        unflushed = 0;
                        if ((await output.FlushAsync()).IsCompleted)
                        {
                            return;
                        }
                    }
                }

                if ((await output.FlushAsync()).IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            Close(MqttReasonCode.UnspecifiedError, "transport failed while writing", sendDisconnect: false);
        }
    }

    private int Write(MqttEncoder encoder, in Outbound item, PipeWriter output)
    {
        if (item.Packet is { } packet)
        {
            return encoder.Encode(packet, Version, output);
        }

        if (item.Acknowledgement != 0)
        {
            return encoder.EncodeResponse(item.Acknowledgement, item.PacketId, item.ReasonCode, Version, output);
        }

        var delivery = item.Delivery;
        var message = delivery.Message;
        try
        {
            return WriteDelivery(encoder, item, output);
        }
        finally
        {
            // The queue entry's lease (taken in Send), given back once the payload is in the output.
            message.ReleaseLease();
        }
    }

    private int WriteDelivery(MqttEncoder encoder, in Outbound item, PipeWriter output)
    {
        var delivery = item.Delivery;
        var message = delivery.Message;
        if (delivery.QoS == MqttQualityOfService.AtMostOnce)
        {
            Interlocked.Decrement(ref _queuedQoS0);
            SignalRoomIfDrained();
        }

        var properties = MqttProperties.Empty;
        if (V5 && (message.ExpiresAt is not null || delivery.SubscriptionIds.Count > 0))
        {
            var now = _time.GetUtcNow();
            if (message.IsExpired(now) && delivery.QoS == MqttQualityOfService.AtMostOnce)
            {
                Policy.OnDropped("expired");
                return 0;
            }

            // 5.0 §3.3.2.3.3: the expiry sent is what remains of it.
            var remaining = message.ExpiresAt is { } at ? (uint?)Math.Max(0, Math.Ceiling((at - now).TotalSeconds)) : null;
            properties = message.Properties with { MessageExpiryInterval = remaining, SubscriptionIdentifiers = delivery.SubscriptionIds };
        }
        else if (V5)
        {
            properties = message.Properties;
        }

        var (alias, aliasOnly) = OutgoingAlias(message.Topic);
        var written = encoder.EncodePublish(
            message.Topic, message.Payload.Span, delivery.QoS, delivery.Retain, item.Duplicate, item.PacketId, properties, Version, output, ClientMaximumPacketSize,
            alias, aliasOnly);
        if (written == 0)
        {
            Policy.OnDropped("larger-than-client-maximum-packet-size");
            if (delivery.QoS != MqttQualityOfService.AtMostOnce)
            {
                // 5.0 §3.1.2.11.4: discarded as if sent and acknowledged.
                Session.Discard(item.PacketId, _time.GetUtcNow());
            }

            return 0;
        }

        if (alias != 0 && !aliasOnly)
        {
            // Known to the client only once sent: a PUBLISH dropped above never set it.
            _outgoingAliases![message.Topic] = alias;
        }

        Policy.OnDelivered(message.Payload.Length);
        return written;
    }

    // 5.0 §3.3.2.3.4: the first topics sent on the connection (up to the negotiated maximum) get an alias,
    // set by sending topic and alias once; afterwards the alias alone stands for the topic. Aliases are
    // never reassigned, so every packet on the wire means what it meant when it was written.
    private (ushort Alias, bool AliasOnly) OutgoingAlias(string topic)
    {
        if (_outgoingAliasLimit == 0)
        {
            return (0, false);
        }

        _outgoingAliases ??= new Dictionary<string, ushort>(StringComparer.Ordinal);
        if (_outgoingAliases.TryGetValue(topic, out var alias))
        {
            return (alias, true);
        }

        return _outgoingAliases.Count < _outgoingAliasLimit ? ((ushort)(_outgoingAliases.Count + 1), false) : ((ushort)0, false);
    }
}
