using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Broker;

/// <summary>Subscriptions and routing: SUBSCRIBE/UNSUBSCRIBE against the tree, and delivery of each message to its matching sessions (§3.3.4).</summary>
public sealed partial class MqttBroker
{
    // Targets of a message with more than one matching session, gathered on the publisher's thread.
    [ThreadStatic]
    private static List<(MqttSession Session, MqttQualityOfService QoS, bool Retain, List<uint>? Ids)>? t_targets;

    /// <summary>The pooled messages that client PUBLISHes are routed in (<see cref="MqttMessage"/>).</summary>
    internal MessagePool Messages => _messages ??= new MessagePool(_options.MessagePoolSize, 8L << 20);

    private MessagePool? _messages;

    internal void Subscribe(MqttConnection connection, SubscribePacket subscribe)
    {
        var v5 = connection.Version == MqttProtocolVersion.V500;
        var session = connection.Session;
        var subscriptionId = subscribe.Properties.SubscriptionIdentifiers is [var id, ..] ? id : 0;
        var codes = new MqttReasonCode[subscribe.Subscriptions.Count];
        List<(TopicSubscription Request, MqttMessage Message)>? retained = null;
        Admission? disconnect = null;
        var now = _time.GetUtcNow();
        for (var i = 0; i < codes.Length; i++)
        {
            var request = subscribe.Subscriptions[i];
            var admission = connection.TopicWithinLimits(request.Filter)
                ? connection.Policy.AuthorizeSubscribe(request.Filter)
                : Admission.Deny(MqttReasonCode.TopicFilterInvalid, "the filter exceeds the length or level limit");
            if (admission.Verdict != Verdict.Allow)
            {
                disconnect ??= admission.Verdict == Verdict.Disconnect ? admission : null;
                codes[i] = v5 ? admission.Code : MqttReasonCode.UnspecifiedError;
                continue;
            }

            bool isNew;
            lock (_treeLock)
            {
                // Asked again under the tree lock that revalidation takes: permissions swapped since the
                // check above (quarantine) either refuse the filter here, or find it in the tree and drop it.
                // A session ended meanwhile (revoked, taken over) takes no subscription: its tree entries
                // are gone, and a filter added now would stay in the tree (and a share group) for good.
                if (session.Ended || !connection.Policy.MayKeepSubscription(request.Filter))
                {
                    codes[i] = v5 ? MqttReasonCode.NotAuthorized : MqttReasonCode.UnspecifiedError;
                    continue;
                }

                var held = _tree.FiltersOf(session);
                if (held.Count >= _options.MaximumSubscriptionsPerClient && !held.Contains(request.Filter))
                {
                    codes[i] = v5 ? MqttReasonCode.QuotaExceeded : MqttReasonCode.UnspecifiedError;
                    continue;
                }

                isNew = TreeAdd(request.Filter, session, new Subscription(request.MaximumQoS, request.NoLocal, request.RetainAsPublished, subscriptionId));
            }

            codes[i] = (MqttReasonCode)(byte)request.MaximumQoS;

            // §3.8.4 / 5.0 §3.3.1.3: retained messages go to a new (non-shared) subscription, as retain handling says.
            var wantsRetained = request.RetainHandling == RetainHandling.SendAtSubscribe || (request.RetainHandling == RetainHandling.SendAtSubscribeIfNew && isNew);
            if (wantsRetained && !MqttTopics.TryParseShared(request.Filter, out _, out _))
            {
                foreach (var message in _retained.Matching(request.Filter, now))
                {
                    (retained ??= []).Add((request, message));
                }
            }
        }

        connection.Send(Outbound.Control(new SubAckPacket(subscribe.PacketId, codes)));
        foreach (var (request, message) in retained ?? [])
        {
            // Permissions may have been swapped (quarantine) after the filter was added: revalidation
            // dropped it, so its retained messages must not go out either.
            if (session.Ended || !connection.Policy.MayKeepSubscription(request.Filter))
            {
                continue;
            }

            Deliver(session, message, request.MaximumQoS, retain: true, subscriptionId == 0 ? Delivery.NoIds : [subscriptionId]);
        }

        if (disconnect is { } reason)
        {
            connection.Close(reason.Code, reason.Reason ?? "subscribe refused");
        }
    }

    internal void Unsubscribe(MqttConnection connection, UnsubscribePacket unsubscribe)
    {
        var codes = new MqttReasonCode[unsubscribe.Filters.Count];
        lock (_treeLock)
        {
            for (var i = 0; i < codes.Length; i++)
            {
                codes[i] = TreeRemove(unsubscribe.Filters[i], connection.Session) ? MqttReasonCode.Success : MqttReasonCode.NoSubscriptionExisted;
            }
        }

        connection.Send(Outbound.Control(new UnsubAckPacket(unsubscribe.PacketId, codes)));
    }

    /// <summary>Sends a message to every matching subscription (§3.3.4), once per session with the highest QoS among its matches.</summary>
    /// <returns>Null, or the fabric's durable copy of the message (see <see cref="IBrokerFabric.OnPublished"/>).</returns>
    internal Task? Route(MqttMessage message, MqttSession? from)
    {
        // What keeps the message beyond this call pins it, so it is never recycled under them.
        if (message.Retain && !_retained.Set(message.Pin()))
        {
            from?.Connection?.Policy.OnDropped("retained-store-full");
        }

        foreach (var (filter, observer, inline) in _observers)
        {
            if (MqttTopics.Matches(filter, message.Topic))
            {
                observer(inline ? message : message.Pin());
            }
        }

        var fabric = _fabric;
        var durable = fabric?.OnPublished(message.Pin());

        // Only a message that went into the fabric's queue (not a durable one, acknowledged on its own) pauses its publisher.
        if (durable is null && fabric is { Congested: true })
        {
            MqttConnection.MarkFabricCongested();
        }

        Fanout(message, from, shared: fabric is null);
        return durable;
    }

    // Delivers to the local subscriptions; shared groups only when no fabric serves them.
    private void Fanout(MqttMessage message, MqttSession? from, bool shared)
    {
        var matches = t_matches ??= [];
        matches.Clear();
        lock (_treeLock)
        {
            _tree.Match(message.Topic, Collect, shared);
        }

        if (matches.Count == 1)
        {
            var (session, options) = matches[0];
            if (!(options.NoLocal && session == from))
            {
                Deliver(session, message, options.MaximumQoS, options.RetainAsPublished && message.Retain, options.SubscriptionId == 0 ? Delivery.NoIds : [options.SubscriptionId]);
            }
        }
        else if (matches.Count > 1)
        {
            RouteToMany(message, from, matches);
        }

        matches.Clear();
    }

    private void RouteToMany(MqttMessage message, MqttSession? from, List<(MqttSession Session, Subscription Options)> matches)
    {
        var merged = t_merged ??= [];
        merged.Clear();
        var targets = t_targets ??= [];
        targets.Clear();
        foreach (var (session, options) in matches)
        {
            // 5.0 §3.8.3.1: no-local subscriptions do not receive the subscriber's own messages.
            if (options.NoLocal && session == from)
            {
                continue;
            }

            var retain = options.RetainAsPublished && message.Retain;
            if (merged.TryGetValue(session, out var index))
            {
                var target = targets[index];
                var ids = target.Ids;
                if (options.SubscriptionId != 0)
                {
                    (ids ??= []).Add(options.SubscriptionId);
                }

                targets[index] = (session, (MqttQualityOfService)Math.Max((byte)target.QoS, (byte)options.MaximumQoS), target.Retain || retain, ids);
            }
            else
            {
                merged[session] = targets.Count;
                targets.Add((session, options.MaximumQoS, retain, options.SubscriptionId == 0 ? null : [options.SubscriptionId]));
            }
        }

        foreach (var (session, qos, retain, ids) in targets)
        {
            Deliver(session, message, qos, retain, ids is null ? Delivery.NoIds : ids);
        }

        targets.Clear();
        merged.Clear();
    }

    private IDeliveryFilter? _deliveryFilter;

    /// <summary>Sets (or, with null, removes) the filter asked before every delivery to a session (<see cref="IDeliveryFilter"/>).</summary>
    public void UseDeliveryFilter(IDeliveryFilter? filter) => Volatile.Write(ref _deliveryFilter, filter);

    /// <summary>The filter in force (null: none), so a host can chain another in front of it.</summary>
    public IDeliveryFilter? DeliveryFilter => Volatile.Read(ref _deliveryFilter);

    private void Deliver(MqttSession session, MqttMessage message, MqttQualityOfService maximumQoS, bool retain, IReadOnlyList<uint> subscriptionIds)
    {
        if (Volatile.Read(ref _deliveryFilter) is { } filter && session.CurrentPolicy is { } subscriber)
        {
            var decision = filter.Decide(message, subscriber);
            if (decision.Verdict == DeliveryVerdict.Refuse)
            {
                subscriber.OnDropped(decision.Reason ?? "delivery-refused");
                return;
            }

            if (decision.Verdict == DeliveryVerdict.Transform)
            {
                message = message.WithPayload(decision.Payload);
            }
        }

        var qos = (MqttQualityOfService)Math.Min((byte)message.QoS, (byte)maximumQoS);
        var delivery = new Delivery(message, qos, retain, subscriptionIds);
        if (qos == MqttQualityOfService.AtMostOnce)
        {
            // §4.3.1: QoS 0 goes only to a connected session; it is not queued for an offline one.
            session.Connection?.SendQoS0(delivery);
        }
        else
        {
            if (!session.Enqueue(delivery))
            {
                session.Connection?.Policy.OnDropped("session-queue-full");
            }

            session.Connection?.SessionBacklogGrew();
        }
    }
}
