using System.Collections.Concurrent;
using System.IO.Pipelines;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// The broker core: sessions by client id, the subscription tree, retained messages and wills,
/// over any duplex pipe. It knows nothing of TLS or identities: the host authenticates CONNECT and
/// hands each connection an <see cref="IMqttClientPolicy"/> that rules on everything it asks.
/// </summary>
public sealed class MqttBroker : IDisposable
{
    [ThreadStatic]
    private static List<(MqttSession Session, Subscription Options)>? t_matches;

    [ThreadStatic]
    private static Dictionary<MqttSession, int>? t_merged;

    private static readonly Action<MqttSession, Subscription> Collect = (session, options) => t_matches!.Add((session, options));

    private readonly BrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, MqttSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _connectLock = new();
    private readonly SubscriptionTree<MqttSession, Subscription> _tree = new();
    private readonly Lock _treeLock = new();
    private readonly RetainedMessages _retained;
    private readonly ITimer _keepAliveSweep;
    private int _connections;
    private System.Collections.Immutable.ImmutableArray<(string Filter, Action<MqttMessage> Observer)> _observers = [];

    public MqttBroker(BrokerOptions options, TimeProvider time)
    {
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _time = time;
        _retained = new RetainedMessages(options.MaximumRetainedMessages);
        _keepAliveSweep = time.CreateTimer(_ => SweepKeepAlive(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Open connections (CONNECT received or not).</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Sessions held, connected or not.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Topics with a retained message.</summary>
    public int RetainedCount => _retained.Count;

    /// <summary>Serves one client connection until it ends. Never throws for anything the client does.</summary>
    /// <param name="remote">The remote address, for takeover reports.</param>
    /// <param name="authenticate">Rules on the CONNECT: accept with a policy, or refuse with a reason code.</param>
    public async Task RunConnectionAsync(IDuplexPipe transport, string remote, Func<ConnectPacket, ConnectDecision> authenticate, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        try
        {
            await new MqttConnection(this, transport, remote, _options, _time).RunAsync(authenticate, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>True when a connection currently serves <paramref name="clientId"/>.</summary>
    public bool IsConnected(string clientId) => _sessions.TryGetValue(clientId, out var session) && session.Connection is not null;

    /// <summary>
    /// Ends the connection of <paramref name="clientId"/> (revocation, retirement): v5 clients get a
    /// DISCONNECT with <paramref name="code"/> first; the session is discarded and its will is not
    /// published, because the identity is no longer trusted. False when no session exists.
    /// </summary>
    public bool Disconnect(string clientId, MqttReasonCode code, string reason)
    {
        lock (_connectLock)
        {
            if (!_sessions.TryGetValue(clientId, out var session))
            {
                return false;
            }

            session.Will = null;
            if (session.Connection is { } connection)
            {
                connection.Will = null;
                connection.WillSettled = true;
                session.Detach(connection);
                connection.Close(code, reason);
            }

            EndSession(session);
            return true;
        }
    }

    /// <summary>Drops the subscriptions the client's policy no longer permits (after its permissions changed); returns how many.</summary>
    public int RevalidateSubscriptions(string clientId)
    {
        if (!_sessions.TryGetValue(clientId, out var session) || session.Connection?.Policy is not { } policy)
        {
            return 0;
        }

        var removed = 0;
        lock (_treeLock)
        {
            foreach (var filter in _tree.FiltersOf(session).ToArray())
            {
                if (!policy.MayKeepSubscription(filter) && _tree.Remove(filter, session))
                {
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Publishes a message from the server itself (commands to devices).</summary>
    public void Publish(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos, bool retain, MqttProperties? properties = null)
    {
        if (!MqttTopics.IsValidTopicName(topic))
        {
            throw new ArgumentException($"'{topic}' is not a valid topic name", nameof(topic));
        }

        Route(new MqttMessage(topic, payload.ToArray(), qos, retain, properties ?? MqttProperties.Empty, string.Empty, null), from: null);
    }

    /// <summary>
    /// Lets the host see, in process, every message routed to a topic matching <paramref name="filter"/>
    /// (the node's monitoring reads device state this way). The observer runs on the publisher's loop:
    /// it must be quick and never throw. Dispose the result to stop.
    /// </summary>
    public IDisposable Observe(string filter, Action<MqttMessage> observer)
    {
        if (!MqttTopics.IsValidTopicFilter(filter))
        {
            throw new ArgumentException($"'{filter}' is not a valid topic filter", nameof(filter));
        }

        var entry = (filter, observer);
        System.Collections.Immutable.ImmutableInterlocked.Update(ref _observers, list => list.Add(entry));
        return new Unobserve(() => System.Collections.Immutable.ImmutableInterlocked.Update(ref _observers, list => list.Remove(entry)));
    }

    /// <inheritdoc />
    public void Dispose() => _keepAliveSweep.Dispose();

    internal uint GrantedExpiry(uint requested) => (uint)Math.Min(requested, _options.MaximumSessionExpiry.TotalSeconds);

    /// <summary>Binds an authenticated connection to its session and sends CONNACK; returns a refusal instead when the CONNECT cannot be honoured.</summary>
    internal ConnectDecision? Accept(MqttConnection connection, ConnectPacket connect)
    {
        var v5 = connect.ProtocolVersion == MqttProtocolVersion.V500;
        var clientId = connect.ClientId;
        string? assigned = null;
        if (clientId.Length == 0)
        {
            // §3.1.3.1: an empty id needs a clean session (3.1.1); the server assigns one.
            if (!connect.CleanStart && !v5)
            {
                return ConnectDecision.Refuse(MqttReasonCode.ClientIdentifierNotValid, "an empty client id needs a clean session");
            }

            clientId = assigned = "auto-" + Guid.NewGuid().ToString("N");
        }

        MqttMessage? will = null;
        if (connect.Will is { } requestedWill)
        {
            if (!connection.TopicWithinLimits(requestedWill.Topic)
                || connection.Policy.AuthorizePublish(requestedWill.Topic, requestedWill.Payload.Length).Verdict != Verdict.Allow)
            {
                return ConnectDecision.Refuse(MqttReasonCode.NotAuthorized, $"the will topic '{requestedWill.Topic}' is not permitted");
            }

            var properties = requestedWill.Properties with { WillDelayInterval = null };
            will = new MqttMessage(requestedWill.Topic, requestedWill.Payload, requestedWill.QoS, requestedWill.Retain,
                properties.Equals(MqttProperties.Empty) ? MqttProperties.Empty : properties, clientId, null);
        }

        // §3.1.2.10 / 5.0 §3.2.2.3.14: a keep-alive of 0 or above the maximum becomes the maximum (5.0 only: 3.1.1 cannot be told).
        var keepAlive = v5 && (connect.KeepAliveSeconds == 0 || connect.KeepAliveSeconds > _options.MaximumKeepAliveSeconds)
            ? _options.MaximumKeepAliveSeconds
            : connect.KeepAliveSeconds;
        var requestedExpiry = v5 ? connect.Properties.SessionExpiryInterval ?? 0 : connect.CleanStart ? 0 : uint.MaxValue;
        var expiry = GrantedExpiry(requestedExpiry);
        var now = _time.GetUtcNow();

        lock (_connectLock)
        {
            _sessions.TryGetValue(clientId, out var existing);
            string? tookOverFrom = null;
            if (existing?.Connection is { } previous)
            {
                // 5.0 §3.1.4 step 3: the existing connection is told 0x8E and closed; its will follows the usual rules.
                existing.Detach(previous);
                previous.Close(MqttReasonCode.SessionTakenOver, "another connection took over the session");
                tookOverFrom = previous.Remote;
                SettleWill(previous, existing, resumed: !connect.CleanStart);
            }

            existing?.ExpiryTimer?.Dispose();
            MqttSession session;
            bool present;
            if (existing is null || existing.Ended || connect.CleanStart)
            {
                if (existing is { Ended: false })
                {
                    EndSession(existing);
                }

                session = new MqttSession(clientId, _options);
                _sessions[clientId] = session;
                present = false;
            }
            else
            {
                session = existing;
                present = true;

                // 5.0 §3.1.3.2.2: a session resumed before the will delay ran out cancels the will.
                session.Will?.Timer?.Dispose();
                session.Will = null;
            }

            session.ExpirySeconds = expiry;
            connection.Attach(session);
            connection.Negotiated(connect, keepAlive);
            connection.Will = will;
            var connAck = new ConnAckPacket(present, MqttReasonCode.Success);
            if (v5)
            {
                connAck = connAck with
                {
                    Properties = new MqttProperties
                    {
                        ReceiveMaximum = _options.ReceiveMaximum,
                        MaximumPacketSize = _options.MaximumPacketSize,
                        TopicAliasMaximum = _options.TopicAliasMaximum,
                        ServerKeepAlive = keepAlive != connect.KeepAliveSeconds ? keepAlive : null,
                        SessionExpiryInterval = expiry != requestedExpiry ? expiry : null,
                        AssignedClientIdentifier = assigned,
                    },
                };
            }

            connection.Send(Outbound.Control(connAck));
            session.Attach(connection, v5 ? connect.Properties.ReceiveMaximum ?? ushort.MaxValue : ushort.MaxValue, now);
            connection.Policy.OnConnected(present, tookOverFrom);
        }

        return null;
    }

    /// <summary>The connection ended: settle its will and start its session's expiry.</summary>
    internal void Disconnected(MqttConnection connection)
    {
        lock (_connectLock)
        {
            var session = connection.Session;
            if (!session.Detach(connection))
            {
                return;
            }

            SettleWill(connection, session, resumed: false);
            if (session.ExpirySeconds == 0)
            {
                EndSession(session);
            }
            else
            {
                session.ExpiryTimer = _time.CreateTimer(_ => ExpireSession(session), null, TimeSpan.FromSeconds(session.ExpirySeconds), Timeout.InfiniteTimeSpan);
            }
        }
    }

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
                var held = _tree.FiltersOf(session);
                if (held.Count >= _options.MaximumSubscriptionsPerClient && !held.Contains(request.Filter))
                {
                    codes[i] = v5 ? MqttReasonCode.QuotaExceeded : MqttReasonCode.UnspecifiedError;
                    continue;
                }

                isNew = _tree.Add(request.Filter, session, new Subscription(request.MaximumQoS, request.NoLocal, request.RetainAsPublished, subscriptionId));
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
                codes[i] = _tree.Remove(unsubscribe.Filters[i], connection.Session) ? MqttReasonCode.Success : MqttReasonCode.NoSubscriptionExisted;
            }
        }

        connection.Send(Outbound.Control(new UnsubAckPacket(unsubscribe.PacketId, codes)));
    }

    /// <summary>Sends a message to every matching subscription (§3.3.4), once per session with the highest QoS among its matches.</summary>
    internal void Route(MqttMessage message, MqttSession? from)
    {
        if (message.Retain && !_retained.Set(message))
        {
            from?.Connection?.Policy.OnDropped("retained-store-full");
        }

        foreach (var (filter, observer) in _observers)
        {
            if (MqttTopics.Matches(filter, message.Topic))
            {
                observer(message);
            }
        }

        var matches = t_matches ??= [];
        matches.Clear();
        lock (_treeLock)
        {
            _tree.Match(message.Topic, Collect);
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
        var targets = new List<(MqttSession Session, MqttQualityOfService QoS, bool Retain, List<uint>? Ids)>();
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

        merged.Clear();
    }

    private static void Deliver(MqttSession session, MqttMessage message, MqttQualityOfService maximumQoS, bool retain, IReadOnlyList<uint> subscriptionIds)
    {
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

    private void SettleWill(MqttConnection connection, MqttSession session, bool resumed)
    {
        if (connection.WillSettled)
        {
            return;
        }

        connection.WillSettled = true;
        if (connection.Will is not { } will)
        {
            return;
        }

        // 5.0 §3.1.3.2.2: published after the will delay or when the session ends, whichever is first;
        // a takeover that resumes the session with a delay pending does not publish it.
        var delay = Math.Min(connection.WillDelaySeconds, session.ExpirySeconds);
        if (delay == 0 || connection.Version != MqttProtocolVersion.V500)
        {
            PublishWill(new PendingWill(will, connection.Policy));
            return;
        }

        if (resumed)
        {
            return;
        }

        var pending = new PendingWill(will, connection.Policy);
        pending.Timer = _time.CreateTimer(_ => FireWill(session, pending), null, TimeSpan.FromSeconds(delay), Timeout.InfiniteTimeSpan);
        session.Will = pending;
    }

    private void FireWill(MqttSession session, PendingWill pending)
    {
        lock (_connectLock)
        {
            if (session.Will != pending)
            {
                return;
            }

            session.Will = null;
        }

        PublishWill(pending);
    }

    private void PublishWill(PendingWill pending)
    {
        pending.Timer?.Dispose();
        var will = pending.Message;

        // The will is checked again when published: permissions may have changed since CONNECT (quarantine).
        if (pending.Policy.AuthorizePublish(will.Topic, will.Payload.Length).Verdict == Verdict.Allow)
        {
            Route(will, from: null);
        }
    }

    private void ExpireSession(MqttSession session)
    {
        lock (_connectLock)
        {
            if (session.Connection is null && !session.Ended)
            {
                EndSession(session);
            }
        }
    }

    // Called under the connect lock.
    private void EndSession(MqttSession session)
    {
        session.Ended = true;
        session.ExpiryTimer?.Dispose();
        _sessions.TryRemove(new KeyValuePair<string, MqttSession>(session.ClientId, session));
        lock (_treeLock)
        {
            _tree.RemoveAll(session);
        }

        if (session.Will is { } pending)
        {
            session.Will = null;
            PublishWill(pending);
        }
    }

    private void SweepKeepAlive()
    {
        var now = _time.GetTimestamp();
        foreach (var session in _sessions.Values)
        {
            if (session.Connection is { } connection && connection.KeepAliveExpired(now))
            {
                connection.Close(MqttReasonCode.KeepAliveTimeout, $"no packet within 1.5 × the keep-alive of {connection.KeepAliveSeconds} s");
            }
        }
    }

    private sealed class Unobserve(Action action) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                action();
            }
        }
    }
}
