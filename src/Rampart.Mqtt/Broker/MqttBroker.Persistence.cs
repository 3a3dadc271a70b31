using System.Collections.Concurrent;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Mqtt.Packets;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// Persistent sessions beyond the process (issue 15): the host's session store is written behind,
/// from <see cref="CaptureChanges"/> at an interval (so a burst of QoS 1 messages costs one write per
/// session and interval, not one per message), and read at CONNECT: a client that resumes a session
/// this node does not hold (after a restart, or coming from another node) gets it back from the store
/// before the CONNECT is decided, then the usual resume rules apply (§4.4; what it may no longer
/// hold is re-checked against its policy). The broker knows nothing of the store itself.
/// </summary>
public sealed partial class MqttBroker
{
    private readonly ConcurrentQueue<SessionRemoval> _removals = new();
    private Func<string, string, CancellationToken, ValueTask<SessionState?>>? _loadSession;

    /// <summary>
    /// Turns on session persistence: <paramref name="load"/> returns (and claims for this node) the
    /// stored session of a client id and owner, or null. It must not throw for a store outage (the
    /// client then starts without its stored session). Set before the listeners open.
    /// </summary>
    public void UseStoredSessions(Func<string, string, CancellationToken, ValueTask<SessionState?>> load) => _loadSession = load;

    /// <summary>
    /// What changed since the last call: every session with an expiry whose state changed (or that
    /// is connected and was last written <paramref name="refreshAfter"/> ago, so its stored expiry
    /// stays ahead), and the sessions to forget. Pass the result to <see cref="Persisted"/> once written.
    /// </summary>
    public SessionChanges CaptureChanges(DateTimeOffset now, TimeSpan refreshAfter)
    {
        var changes = new SessionChanges();
        while (_removals.TryDequeue(out var removal))
        {
            changes.Removed.Add(removal);
        }

        foreach (var session in _sessions.Values)
        {
            var (persistedVersion, persistedAt) = session.Persisted;
            if (session.Ended || session.ExpirySeconds == 0)
            {
                // A session resumed with expiry 0 (5.0 §3.1.2.11.2) no longer outlives its connection.
                if (!session.Ended && persistedVersion >= 0)
                {
                    changes.Removed.Add(new SessionRemoval(session.ClientId, session.Owner, AnyNode: false));
                    session.Persisted = (-1, now);
                }

                continue;
            }

            var version = session.Version;
            var connected = session.Connection is not null;
            // A connected session that does not change is written again within half its expiry, so its stored expiry stays ahead of a crash.
            var refresh = TimeSpan.FromSeconds(Math.Min(refreshAfter.TotalSeconds, session.ExpirySeconds / 2.0));
            if (version == persistedVersion && !(connected && now - persistedAt >= refresh))
            {
                continue;
            }

            var subscriptions = new List<PersistedSubscription>();
            lock (_treeLock)
            {
                foreach (var filter in _tree.FiltersOf(session))
                {
                    if (_tree.TryGetOptions(filter, session, out var options))
                    {
                        subscriptions.Add(new PersistedSubscription(filter, options.MaximumQoS, options.NoLocal, options.RetainAsPublished, options.SubscriptionId));
                    }
                }
            }

            var (messages, awaiting) = session.Capture();

            // Expiry counts from the end of the connection (5.0 §3.1.2.11.2); while connected, from now.
            var expiresAt = (session.DisconnectedAt ?? now) + TimeSpan.FromSeconds(session.ExpirySeconds);
            changes.Saved.Add(new CapturedSession(new SessionState(session.ClientId, session.Owner, session.ExpirySeconds, subscriptions, messages, awaiting), expiresAt));
            changes.Captured.Add((session, version));
        }

        return changes;
    }

    /// <summary>Records that <paramref name="changes"/> were written at <paramref name="at"/>; a failed write is simply captured again next time.</summary>
    public void Persisted(SessionChanges changes, DateTimeOffset at)
    {
        foreach (var (session, version) in changes.Captured)
        {
            session.Persisted = (version, at);
        }
    }

    /// <summary>Puts removals of a write that failed back, so the next one applies them.</summary>
    public void RequeueRemovals(SessionChanges changes)
    {
        foreach (var removal in changes.Removed)
        {
            _removals.Enqueue(removal);
        }
    }

    // Before the CONNECT is decided, on the connection's loop (not under a lock: the store may take a round trip).
    internal async ValueTask RestoreStoredSessionAsync(ConnectPacket connect, IMqttClientPolicy policy, CancellationToken cancellationToken)
    {
        if (_loadSession is not { } load || connect.ClientId.Length == 0)
        {
            return;
        }

        var clientId = connect.ClientId;
        var owner = policy.Principal;
        if (connect.CleanStart)
        {
            // §3.1.2.4: a clean start discards the existing session, wherever it is stored.
            _removals.Enqueue(new SessionRemoval(clientId, owner, AnyNode: true));
            return;
        }

        if (_sessions.TryGetValue(clientId, out var held) && !held.Ended)
        {
            return;
        }

        var state = await load(clientId, owner, cancellationToken);
        if (state is null || !string.Equals(state.Owner, owner, StringComparison.Ordinal))
        {
            return;
        }

        lock (_connectLock)
        {
            if (_sessions.TryGetValue(clientId, out held) && !held.Ended)
            {
                return;
            }

            var session = new MqttSession(clientId, owner, _options) { ExpirySeconds = state.ExpirySeconds };
            session.Restore(state.Messages, state.AwaitingRelease);
            session.ReplaySince = state.WrittenAt;

            // It is in the store already (claimed for this node): ending it here removes it there.
            session.Persisted = (0, _time.GetUtcNow());
            _sessions[clientId] = session;
            if (!_sessionsByOwner.TryGetValue(owner, out var owned))
            {
                _sessionsByOwner[owner] = owned = [];
            }

            owned.Add(session);
            lock (_treeLock)
            {
                foreach (var subscription in state.Subscriptions.Take(_options.MaximumSubscriptionsPerClient))
                {
                    TreeAdd(subscription.Filter, session, new Subscription(subscription.MaximumQoS, subscription.NoLocal, subscription.RetainAsPublished, subscription.SubscriptionId));
                }
            }

            // Offline until Accept attaches it; should the CONNECT be refused, it expires as any offline session.
            session.DisconnectedAt = _time.GetUtcNow();
            session.ExpiryTimer = _time.CreateTimer(_ => ExpireSession(session), null, TimeSpan.FromSeconds(Math.Max(1, state.ExpirySeconds)), Timeout.InfiniteTimeSpan);
        }
    }

    // Called under the connect lock when a session ends here.
    private void Forget(MqttSession session)
    {
        if (_loadSession is not null && session.Persisted.Version >= 0)
        {
            _removals.Enqueue(new SessionRemoval(session.ClientId, session.Owner, AnyNode: false));
        }
    }
}

/// <summary>A session's state to write, and when it ends if nobody resumes it.</summary>
public sealed record CapturedSession(SessionState State, DateTimeOffset ExpiresAt);

/// <summary>What <see cref="MqttBroker.CaptureChanges"/> found.</summary>
public sealed class SessionChanges
{
    public List<CapturedSession> Saved { get; } = [];

    public List<SessionRemoval> Removed { get; } = [];

    internal List<(MqttSession Session, long Version)> Captured { get; } = [];
}
