using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>Handling of each packet a client sends after CONNECT: PUBLISH (with topic aliases and QoS 2 ids), acknowledgements, SUBSCRIBE, DISCONNECT.</summary>
internal sealed partial class MqttConnection
{
    // A PUBLISH or an acknowledgement decoded in place. Returns false when the connection must end.
    private bool Handle(in MqttFrame frame) =>
        frame.Type == MqttPacketType.Publish ? HandlePublish(frame) : HandleResponse(frame.Type, frame.PacketId, frame.ReasonCode);

    // Returns false when the connection must end.
    private bool Handle(MqttPacket packet)
    {
        switch (packet)
        {
            case SubscribePacket subscribe:
                _broker.Subscribe(this, subscribe);
                return _closed == 0;
            case UnsubscribePacket unsubscribe:
                _broker.Unsubscribe(this, unsubscribe);
                return true;
            case PingReqPacket:
                Send(Outbound.Control(PingRespPacket.Instance));
                return true;
            case DisconnectPacket disconnect:
                return HandleDisconnect(disconnect);
            default:
                // A server-to-client packet, or AUTH without an authentication method (5.0 §4.12).
                Close(MqttReasonCode.ProtocolError, $"{packet.Type} is not expected from a client");
                return false;
        }
    }

    private bool HandlePublish(in MqttFrame publish)
    {
        var topic = publish.Topic;
        if (V5 && publish.Properties.TopicAlias is { } alias)
        {
            // 5.0 §3.3.2.3.4: an alias above the maximum we announced is 0x94 Topic Alias invalid. Alias 0
            // (not permitted, [MQTT-3.3.2-8]) never gets here: the decoder refuses it as a Protocol Error (0x82).
            if (alias > _options.TopicAliasMaximum)
            {
                Close(MqttReasonCode.TopicAliasInvalid, $"topic alias {alias} is above the maximum of {_options.TopicAliasMaximum}");
                return false;
            }

            _topicAliases ??= [];
            if (topic.Length > 0)
            {
                _topicAliases[alias] = topic;
            }
            else if (!_topicAliases.TryGetValue(alias, out topic))
            {
                Close(MqttReasonCode.ProtocolError, $"topic alias {alias} was never set");
                return false;
            }
        }
        else if (topic.Length == 0)
        {
            Close(MqttReasonCode.ProtocolError, "PUBLISH without a topic name or alias");
            return false;
        }

        // Repeated publishes to one topic share one string: telemetry mostly goes to the same topic.
        if (_lastTopic is not null && string.Equals(_lastTopic, topic, StringComparison.Ordinal))
        {
            topic = _lastTopic;
        }
        else
        {
            _lastTopic = topic;
        }

        var admission = TopicWithinLimits(topic)
            ? Policy.AuthorizePublish(topic, (int)publish.Payload.Length)
            : Admission.Deny(MqttReasonCode.TopicNameInvalid, "the topic name exceeds the length or level limit");
        if (admission.Verdict == Verdict.Disconnect)
        {
            Close(admission.Code, admission.Reason ?? "publish refused");
            return false;
        }

        Task? durable = null;
        if (publish.QoS == MqttQualityOfService.ExactlyOnce)
        {
            var awaiting = Session.AwaitingRelease;
            lock (Session)
            {
                if (!awaiting.Contains(publish.PacketId))
                {
                    if (awaiting.Count >= _options.ReceiveMaximum)
                    {
                        Close(MqttReasonCode.ReceiveMaximumExceeded, $"more than {_options.ReceiveMaximum} QoS 2 publishes unreleased");
                        return false;
                    }

                    if (admission.Verdict == Verdict.Allow)
                    {
                        durable = Route(publish, topic);
                    }

                    // §4.3.3: the id is held until PUBREL even when refused, so a resend is not routed twice.
                    awaiting.Add(publish.PacketId);
                }
            }

            Acknowledge(MqttPacketType.PubRec, publish.PacketId, V5 ? admission.Code : MqttReasonCode.Success, durable);
            return true;
        }

        if (admission.Verdict == Verdict.Allow)
        {
            durable = Route(publish, topic);
        }

        if (publish.QoS == MqttQualityOfService.AtLeastOnce)
        {
            // 3.1.1 has no negative PUBACK: a refused message is acknowledged and dropped (§3.3.5).
            Acknowledge(MqttPacketType.PubAck, publish.PacketId, V5 ? admission.Code : MqttReasonCode.Success, durable);
        }

        return true;
    }

    private Task? Route(in MqttFrame publish, string topic)
    {
        var properties = publish.Properties;
        DateTimeOffset? expiresAt = null;
        if (V5 && !ReferenceEquals(properties, MqttProperties.Empty))
        {
            if (properties.MessageExpiryInterval is { } expiry)
            {
                expiresAt = _time.GetUtcNow().AddSeconds(expiry);
            }

            // 5.0 §3.3.2.3: the topic alias is per connection and is not forwarded; expiry is re-computed per delivery.
            properties = properties with { TopicAlias = null, MessageExpiryInterval = null, SubscriptionIdentifiers = [] };
            if (properties.Equals(MqttProperties.Empty))
            {
                properties = MqttProperties.Empty;
            }
        }
        else if (!V5)
        {
            properties = MqttProperties.Empty;
        }

        // A pooled message (MqttMessage): routing holds one lease on it, each queue entry and session one more.
        var message = MqttMessage.Rent(_broker.Messages, topic, publish.Payload, publish.QoS, publish.Retain, properties, ClientId, expiresAt, Policy.Principal);
        var durable = _broker.Route(message, Session);
        message.ReleaseLease();
        return durable;
    }

    private bool HandleResponse(MqttPacketType kind, ushort packetId, MqttReasonCode reasonCode)
    {
        var now = _time.GetUtcNow();
        switch (kind)
        {
            case MqttPacketType.PubAck or MqttPacketType.PubComp:
                // An unknown id is tolerated (it may predate a takeover); the spec asks nothing more.
                Session.Complete(packetId, kind, now);
                SignalRoomIfDrained();
                return true;
            case MqttPacketType.PubRec:
                var known = Session.Received(packetId, (byte)reasonCode >= 0x80, now);
                if ((byte)reasonCode < 0x80)
                {
                    Send(Outbound.Acknowledge(
                        MqttPacketType.PubRel, packetId, known || !V5 ? MqttReasonCode.Success : MqttReasonCode.PacketIdentifierNotFound));
                }

                return true;
            default:
                bool released;
                lock (Session)
                {
                    released = Session.AwaitingRelease.Remove(packetId);
                }

                Send(Outbound.Acknowledge(
                    MqttPacketType.PubComp, packetId, released || !V5 ? MqttReasonCode.Success : MqttReasonCode.PacketIdentifierNotFound));
                return true;
        }
    }

    private bool HandleDisconnect(DisconnectPacket disconnect)
    {
        if (V5 && disconnect.Properties.SessionExpiryInterval is { } expiry)
        {
            // 5.0 §3.14.2.2.2: a session that was to end at disconnect cannot be extended now.
            if (_sessionExpiryWasZero && expiry != 0)
            {
                Close(MqttReasonCode.ProtocolError, "session expiry set at DISCONNECT after CONNECT asked for none");
                return false;
            }

            Session.ExpirySeconds = _broker.GrantedExpiry(expiry);
        }

        // 5.0 §3.14.4: a normal DISCONNECT discards the will; 0x04 asks for it to be published.
        if (disconnect.ReasonCode != MqttReasonCode.DisconnectWithWillMessage)
        {
            Will = null;
        }

        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _closeCode = disconnect.ReasonCode;
            _closeDetail = "the client disconnected" + (disconnect.ReasonCode == MqttReasonCode.Success ? string.Empty : $" (0x{(byte)disconnect.ReasonCode:X2})");
        }

        return false;
    }

    public bool TopicWithinLimits(string topic)
    {
        if (topic.Length > _options.MaximumTopicLength)
        {
            return false;
        }

        var levels = 1;
        foreach (var c in topic)
        {
            if (c == '/' && ++levels > _options.MaximumTopicLevels)
            {
                return false;
            }
        }

        return true;
    }
}
