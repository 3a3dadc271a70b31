using Rampart.Mqtt.Topics;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// The broker's side of a cluster fabric (<see cref="IBrokerFabric"/>). With a fabric attached,
/// shared subscriptions are served only through it (its queue groups pick one member across the
/// cluster, this node's included), so a message never reaches a group twice.
/// </summary>
public sealed partial class MqttBroker
{
    private IBrokerFabric? _fabric;

    /// <summary>Waits for the fabric's room (<see cref="IBrokerFabric.WaitForRoomAsync"/>); at once without a fabric.</summary>
    internal ValueTask WaitForFabricRoomAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _fabric?.WaitForRoomAsync(timeout, cancellationToken) ?? ValueTask.CompletedTask;

    /// <summary>Joins this broker to a fabric; once, before the first connection.</summary>
    public void AttachFabric(IBrokerFabric fabric)
    {
        lock (_connectLock)
        {
            if (_fabric is not null || !_sessions.IsEmpty || ConnectionCount > 0)
            {
                throw new InvalidOperationException("a fabric is attached once, before the first connection");
            }

            _fabric = fabric;
        }
    }

    /// <summary>
    /// Delivers a message published on another node to the local plain subscriptions that match it
    /// (each admitted by its subscriber's policy when it subscribed). Not stored as retained and not
    /// shown to observers: the publishing node did both.
    /// </summary>
    public void DeliverRemote(MqttMessage message) => Fanout(message, from: null, shared: false);

    /// <summary>
    /// Delivers a message the fabric's queue group gave this node for the shared subscription
    /// <paramref name="sharedFilter"/> (<c>$share/G/F</c>) to one local member of it, in turn (5.0 §4.8.2).
    /// False when the group has no local member any more.
    /// </summary>
    public bool DeliverRemoteShared(string sharedFilter, MqttMessage message)
    {
        MqttSession session;
        Subscription options;
        lock (_treeLock)
        {
            if (!_tree.TryTakeShared(sharedFilter, out session!, out options))
            {
                return false;
            }
        }

        Deliver(session, message, options.MaximumQoS, options.RetainAsPublished && message.Retain, options.SubscriptionId == 0 ? Delivery.NoIds : [options.SubscriptionId]);
        return true;
    }

    /// <summary>
    /// Stores (or, with an empty payload, clears — §3.3.1.3) a retained message set on another node,
    /// so a later subscriber here gets it at SUBSCRIBE. Not delivered now: live subscribers got the
    /// message itself. False when the store is full. Not written behind here: the node that took the
    /// PUBLISH writes it to the cluster's store.
    /// </summary>
    public bool StoreRemoteRetained(MqttMessage message) => message.Retain && _retained.Set(message, tracked: false);

    /// <summary>
    /// The session <paramref name="clientId"/> of <paramref name="principal"/> was opened on another
    /// node (5.0 §3.1.4 step 3): the connection here is told 0x8E Session taken over and closed, and
    /// the session here ends (its state does not move; its will is dropped, since the client is alive
    /// elsewhere). A session of another identity is left alone, and so is one attached here after
    /// <paramref name="openedAt"/> (the announcement is stale: the client came here since). False when
    /// nothing was closed.
    /// </summary>
    public bool CloseTakenOver(string clientId, string principal, DateTimeOffset openedAt)
    {
        lock (_connectLock)
        {
            if (!_sessions.TryGetValue(clientId, out var session) || session.Ended || !string.Equals(session.Owner, principal, StringComparison.Ordinal))
            {
                return false;
            }

            // Announcements cross NATS asynchronously: one for a connect elsewhere that came before this
            // session's own connect here is stale (the client moved here since) and must not cut it off.
            if (session.AttachedAt > openedAt)
            {
                return false;
            }

            session.Will?.Timer?.Dispose();
            session.Will = null;
            if (session.Connection is { } connection)
            {
                connection.Will = null;
                connection.WillSettled = true;
                session.Detach(connection);
                connection.Close(MqttReasonCode.SessionTakenOver, "the session was taken over on another node");
            }

            EndSession(session);
            return true;
        }
    }

    /// <summary>
    /// Delivers a message the fabric replayed for the resumed session <paramref name="clientId"/> of
    /// <paramref name="owner"/> (<see cref="IBrokerFabric.OnSessionResumed"/>) to that session alone,
    /// once, with the highest QoS among its plain subscriptions that match (§3.3.4). An expired message
    /// (§3.3.2.3.3) is not delivered. False when the session is gone or nothing of it matches.
    /// </summary>
    public bool DeliverReplayed(string clientId, string owner, MqttMessage message)
    {
        if (!_sessions.TryGetValue(clientId, out var session) || session.Ended || !string.Equals(session.Owner, owner, StringComparison.Ordinal)
            || message.IsExpired(_time.GetUtcNow()))
        {
            return false;
        }

        var qos = MqttQualityOfService.AtMostOnce;
        var matched = false;
        var retain = false;
        List<uint>? ids = null;
        lock (_treeLock)
        {
            foreach (var filter in _tree.FiltersOf(session))
            {
                if (MqttTopics.TryParseShared(filter, out _, out _) || !MqttTopics.Matches(filter, message.Topic) || !_tree.TryGetOptions(filter, session, out var options)
                    || (options.NoLocal && string.Equals(message.SenderClientId, clientId, StringComparison.Ordinal)))
                {
                    continue;
                }

                matched = true;
                qos = (MqttQualityOfService)Math.Max((byte)qos, (byte)options.MaximumQoS);
                retain |= options.RetainAsPublished && message.Retain;
                if (options.SubscriptionId != 0)
                {
                    (ids ??= []).Add(options.SubscriptionId);
                }
            }
        }

        if (matched)
        {
            Deliver(session, message, qos, retain, ids is null ? Delivery.NoIds : ids);
        }

        return matched;
    }

    private void ReplayInto(MqttSession session, DateTimeOffset since)
    {
        if (_fabric is not { } fabric)
        {
            return;
        }

        string[] filters;
        lock (_treeLock)
        {
            filters = _tree.FiltersOf(session).Where(filter => !MqttTopics.TryParseShared(filter, out _, out _)).ToArray();
        }

        if (filters.Length > 0)
        {
            fabric.OnSessionResumed(session.ClientId, session.Owner, filters, since);
        }
    }

    // Called under the tree lock, so the fabric sees each filter's changes in order.
    private bool TreeAdd(string filter, MqttSession session, Subscription options)
    {
        var isNew = _tree.Add(filter, session, options);
        session.Changed();
        if (isNew)
        {
            _fabric?.OnInterestChanged(filter, added: true);
        }

        return isNew;
    }

    // Called under the tree lock.
    private bool TreeRemove(string filter, MqttSession session)
    {
        var removed = _tree.Remove(filter, session);
        if (removed)
        {
            session.Changed();
            _fabric?.OnInterestChanged(filter, added: false);
        }

        return removed;
    }

    // Called under the tree lock.
    private void TreeRemoveAll(MqttSession session)
    {
        foreach (var filter in _tree.FiltersOf(session).ToArray())
        {
            TreeRemove(filter, session);
        }
    }
}
