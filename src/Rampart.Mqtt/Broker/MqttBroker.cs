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
public sealed partial class MqttBroker : IDisposable
{
    [ThreadStatic]
    private static List<(MqttSession Session, Subscription Options)>? t_matches;

    [ThreadStatic]
    private static Dictionary<MqttSession, int>? t_merged;

    private static readonly Action<MqttSession, Subscription> Collect = (session, options) => t_matches!.Add((session, options));

    private readonly BrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, MqttSession> _sessions = new(StringComparer.Ordinal);

    // The sessions each principal created, kept under the connect lock: live control (revocation,
    // retirement) visits one identity's sessions, not every session, while CONNECTs wait on that lock.
    private readonly Dictionary<string, HashSet<MqttSession>> _sessionsByOwner = new(StringComparer.Ordinal);
    private readonly Lock _connectLock = new();
    private readonly SubscriptionTree<MqttSession, Subscription> _tree = new();
    private readonly Lock _treeLock = new();
    private readonly RetainedMessages _retained;
    private readonly ITimer _keepAliveSweep;
    private int _connections;
    private System.Collections.Immutable.ImmutableArray<(string Filter, Action<MqttMessage> Observer, bool Inline)> _observers = [];

    public MqttBroker(BrokerOptions options, TimeProvider time)
    {
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _time = time;
        _retained = new RetainedMessages(options.MaximumRetainedMessages, time);
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
    public Task RunConnectionAsync(IDuplexPipe transport, string remote, Func<ConnectPacket, ConnectDecision> authenticate, CancellationToken cancellationToken) =>
        RunConnectionAsync(transport, remote, (connect, _) => ValueTask.FromResult(authenticate(connect)), cancellationToken);

    /// <summary>
    /// Serves one client connection until it ends; the CONNECT decision may wait (the host re-reads
    /// the identity's state then). Never throws for anything the client does; a fault of the host's
    /// policy (a logic bug) is not hidden as a transport failure and ends the task with it.
    /// </summary>
    public async Task RunConnectionAsync(
        IDuplexPipe transport, string remote, Func<ConnectPacket, CancellationToken, ValueTask<ConnectDecision>> authenticate, CancellationToken cancellationToken)
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
    /// published, because the identity is no longer trusted. With <paramref name="only"/>, only a
    /// session that connection's policy serves is ended (a newer connection of another certificate is
    /// left alone). False when no such session exists.
    /// </summary>
    public bool Disconnect(string clientId, MqttReasonCode code, string reason, IMqttClientPolicy? only = null)
    {
        lock (_connectLock)
        {
            if (!_sessions.TryGetValue(clientId, out var session) || (only is not null && session.Connection?.Policy != only))
            {
                return false;
            }

            Discard(session, code, reason);
            return true;
        }
    }

    // Called under the connect lock: ends a session without its will, closing its connection with the reason.
    private void Discard(MqttSession session, MqttReasonCode code, string reason)
    {
        session.Will?.Timer?.Dispose();
        session.Will = null;
        if (session.Connection is { } connection)
        {
            connection.Will = null;
            connection.WillSettled = true;
            session.Detach(connection);
            connection.Close(code, reason);
        }

        EndSession(session);
    }

    /// <summary>
    /// After the client's permissions changed (quarantine): drops the subscriptions its policy no
    /// longer permits and the messages queued or in flight to it that no remaining subscription
    /// covers; returns how many subscriptions were dropped. A session waiting offline is judged by the
    /// policy of its last connection, after <paramref name="change"/> (when given) was applied to it.
    /// Runs under the connect lock, so a session being resumed is either revalidated here after its
    /// connection is bound, or resumed after this and revalidated by the resume with the changed policy.
    /// </summary>
    public int RevalidateSubscriptions(string clientId, Action<IMqttClientPolicy>? change = null)
    {
        lock (_connectLock)
        {
            if (!_sessions.TryGetValue(clientId, out var session) || session.CurrentPolicy is not { } policy)
            {
                return 0;
            }

            change?.Invoke(policy);
            return Revalidate(session, policy).Subscriptions;
        }
    }

    /// <summary>
    /// Ends every session of <paramref name="owner"/> (the principal that created it), connected or
    /// waiting offline, whose current policy (its connection's, or its last connection's while offline)
    /// <paramref name="matches"/>: as <see cref="Disconnect"/>, v5 clients get a DISCONNECT with
    /// <paramref name="code"/>, and the session and its will are discarded (revocation, retirement: the
    /// identity is no longer trusted, so a delayed will is never published). Only the owner's sessions
    /// are visited, so a revocation costs the same with 50 or 50,000 sessions. Returns how many ended.
    /// </summary>
    public int EndSessions(string owner, Func<IMqttClientPolicy, bool> matches, MqttReasonCode code, string reason)
    {
        lock (_connectLock)
        {
            if (!_sessionsByOwner.TryGetValue(owner, out var owned))
            {
                return 0;
            }

            var ended = 0;
            foreach (var session in owned.ToArray())
            {
                if (!session.Ended && session.CurrentPolicy is { } policy && matches(policy))
                {
                    Discard(session, code, reason);
                    ended++;
                }
            }

            return ended;
        }
    }

    /// <summary>Publishes a message from the server itself (commands to devices).</summary>
    public void Publish(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos, bool retain, MqttProperties? properties = null)
    {
        if (!MqttTopics.IsValidTopicName(topic))
        {
            throw new ArgumentException($"'{topic}' is not a valid topic name", nameof(topic));
        }

        // A message expiry interval (5.0 §3.3.2.3.3) counts from now, as for a client's PUBLISH; a retained copy expires with it.
        // Kept as the message's expiry time and written per delivery as what remains (as MqttConnection does).
        DateTimeOffset? expiresAt = null;
        if (properties?.MessageExpiryInterval is { } seconds)
        {
            expiresAt = _time.GetUtcNow().AddSeconds(seconds);
            properties = properties with { MessageExpiryInterval = null };
        }

        Route(new MqttMessage(topic, payload.ToArray(), qos, retain, properties ?? MqttProperties.Empty, string.Empty, expiresAt, publisher: null), from: null);
    }

    /// <summary>
    /// Lets the host see, in process, every message routed to a topic matching <paramref name="filter"/>
    /// (the node's monitoring reads device state this way). The observer runs on the publisher's loop:
    /// it must be quick and never throw. Dispose the result to stop.
    /// </summary>
    public IDisposable Observe(string filter, Action<MqttMessage> observer) => Observe(filter, observer, inline: false);

    /// <summary>
    /// As <see cref="Observe(string, Action{MqttMessage})"/>, for an observer that reads the message
    /// during the call only and keeps nothing of it (not the message, not its payload's memory): the
    /// message stays pooled (<see cref="MqttMessage.Pin"/>), so observing allocates nothing.
    /// </summary>
    public IDisposable ObserveInline(string filter, Action<MqttMessage> observer) => Observe(filter, observer, inline: true);

    private IDisposable Observe(string filter, Action<MqttMessage> observer, bool inline)
    {
        if (!MqttTopics.IsValidTopicFilter(filter))
        {
            throw new ArgumentException($"'{filter}' is not a valid topic filter", nameof(filter));
        }

        var entry = (filter, observer, inline);
        System.Collections.Immutable.ImmutableInterlocked.Update(ref _observers, list => list.Add(entry));
        return new Unobserve(() => System.Collections.Immutable.ImmutableInterlocked.Update(ref _observers, list => list.Remove(entry)));
    }

    /// <inheritdoc />
    public void Dispose() => _keepAliveSweep.Dispose();

    internal uint GrantedExpiry(uint requested) => (uint)Math.Min(requested, _options.MaximumSessionExpiry.TotalSeconds);

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
