using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Topics;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// Sessions: binding a connection to its session at CONNECT (takeover, resume, clean start), the
/// end of a connection, wills and session expiry. Every change here happens under the connect lock.
/// </summary>
public sealed partial class MqttBroker
{
    /// <summary>Binds an authenticated connection to its session and sends CONNACK; returns a refusal instead when the CONNECT cannot be honoured.</summary>
    internal ConnectDecision? Accept(MqttConnection connection, ConnectPacket connect, string? assignedClientId = null)
    {
        var v5 = connect.ProtocolVersion == MqttProtocolVersion.V500;
        var clientId = connect.ClientId;
        string? assigned = null;
        if (clientId.Length == 0)
        {
            // §3.1.3.1: an empty id needs a clean session (3.1.1); the server assigns one (the host's when
            // it chose one, so it fits the identity's rules) and tells a 5.0 client (§3.2.2.3.7).
            if (!connect.CleanStart && !v5)
            {
                return ConnectDecision.Refuse(MqttReasonCode.ClientIdentifierNotValid, "an empty client id needs a clean session");
            }

            clientId = assigned = assignedClientId is { Length: > 0 } ? assignedClientId : "auto-" + Guid.NewGuid().ToString("N");
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
                properties.Equals(MqttProperties.Empty) ? MqttProperties.Empty : properties, clientId, null, connection.Policy.Principal);
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
            // Asked under the lock that revocation's Disconnect also takes: a revocation applied before
            // this refuses the CONNECT here, one applied after finds the session registered.
            var admission = connection.Policy.AuthorizeSession();
            if (admission.Verdict != Verdict.Allow)
            {
                return ConnectDecision.Refuse(admission.Code, admission.Reason ?? "not authorized");
            }

            // A session belongs to the identity that created it (threat model, "Identity"): another
            // identity presenting the same client id never resumes it (it starts clean) and never takes
            // over a live connection of it (refused, so one identity cannot cut another off).
            var principal = connection.Policy.Principal;
            _sessions.TryGetValue(clientId, out var existing);
            var foreign = existing is { Ended: false } && !string.Equals(existing.Owner, principal, StringComparison.Ordinal);
            if (foreign && existing!.Connection is not null)
            {
                return ConnectDecision.Refuse(MqttReasonCode.ClientIdentifierNotValid, $"client id '{clientId}' is in use by another identity");
            }

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
            if (existing is null || existing.Ended || connect.CleanStart || foreign)
            {
                if (existing is { Ended: false })
                {
                    EndSession(existing);
                }

                session = new MqttSession(clientId, principal, _options);
                _sessions[clientId] = session;
                if (!_sessionsByOwner.TryGetValue(principal, out var owned))
                {
                    _sessionsByOwner[principal] = owned = [];
                }

                owned.Add(session);
                present = false;
            }
            else
            {
                session = existing;
                present = true;

                // 5.0 §3.1.3.2.2: a session resumed before the will delay ran out cancels the will.
                session.Will?.Timer?.Dispose();
                session.Will = null;

                // Permissions may have changed while the session waited (quarantine): what it holds is
                // re-checked against the policy now in force before anything is sent again (§4.4).
                Revalidate(session, connection.Policy);
            }

            session.ExpirySeconds = expiry;
            session.DisconnectedAt = null;
            session.Policy = connection.Policy;
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
            _fabric?.OnSessionOpened(clientId, principal, now);
            if (present && session.ReplaySince is { } since)
            {
                // After Revalidate: only what the session may still hold is replayed.
                session.ReplaySince = null;
                ReplayInto(session, since);
            }
        }

        return null;
    }

    /// <summary>
    /// Re-checks what a session holds against <paramref name="policy"/>: subscriptions it may no longer
    /// keep are dropped, then every message queued or in flight to it that no remaining subscription
    /// covers (each counted as dropped with the policy).
    /// </summary>
    private (int Subscriptions, int Messages) Revalidate(MqttSession session, IMqttClientPolicy policy)
    {
        var removed = 0;
        string[] reach;
        lock (_treeLock)
        {
            foreach (var filter in _tree.FiltersOf(session).ToArray())
            {
                if (!policy.MayKeepSubscription(filter) && TreeRemove(filter, session))
                {
                    removed++;
                }
            }

            // A shared subscription reaches the topics of its inner filter (5.0 §4.8.2).
            reach = _tree.FiltersOf(session).Select(f => MqttTopics.TryParseShared(f, out _, out var inner) ? inner : f).ToArray();
        }

        var dropped = session.Prune(topic => reach.Any(filter => MqttTopics.Matches(filter, topic)), _time.GetUtcNow());
        for (var i = 0; i < dropped; i++)
        {
            policy.OnDropped("no-longer-permitted");
        }

        return (removed, dropped);
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
            session.DisconnectedAt = _time.GetUtcNow();
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
        Forget(session);
        session.ExpiryTimer?.Dispose();
        _sessions.TryRemove(new KeyValuePair<string, MqttSession>(session.ClientId, session));
        if (_sessionsByOwner.TryGetValue(session.Owner, out var owned) && owned.Remove(session) && owned.Count == 0)
        {
            _sessionsByOwner.Remove(session.Owner);
        }

        lock (_treeLock)
        {
            TreeRemoveAll(session);
        }

        if (session.Will is { } pending)
        {
            session.Will = null;
            PublishWill(pending);
        }
    }
}
