using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// A client's session (5.0 §4.1): its subscriptions (held in the broker's tree), QoS 1/2 messages in
/// flight to it and queued for it, and QoS 2 packet ids it has not released yet. It outlives a
/// connection when the session expiry allows. State changes happen under the session's lock, and
/// messages are handed to the connection under it too, so packet ids go out in order.
/// </summary>
internal sealed class MqttSession(string clientId, string owner, BrokerOptions options)
{
    private readonly Dictionary<ushort, Inflight> _inflight = [];
    private readonly Queue<Delivery> _queued = new();
    private ushort _lastPacketId;
    private long _order;
    private int _window = options.MaximumInflight;
    private int _queuedCount;
    private long _version;

    public string ClientId { get; } = clientId;

    /// <summary>The principal that created the session; only it may resume the session.</summary>
    public string Owner { get; } = owner;

    /// <summary>QoS 1/2 messages waiting beyond the in-flight window; read without the lock for backpressure.</summary>
    public int QueuedCount => Volatile.Read(ref _queuedCount);

    /// <summary>The connection serving the session, if any. Read without the lock on the QoS 0 path.</summary>
    public MqttConnection? Connection { get => Volatile.Read(ref _connection); private set => Volatile.Write(ref _connection, value); }

    private MqttConnection? _connection;

    /// <summary>
    /// The policy of the connection that serves or last served the session (set under the connect
    /// lock): what an offline session holds is judged by it when permissions change while it waits.
    /// </summary>
    public IMqttClientPolicy? Policy { get; set; }

    /// <summary>Read back from the store, written then: what reached it since is replayed by a durable fabric once it is resumed.</summary>
    public DateTimeOffset? ReplaySince { get; set; }

    /// <summary>The policy that rules on the session now: its connection's, or the last one's while it is offline.</summary>
    public IMqttClientPolicy? CurrentPolicy => Connection?.Policy ?? Policy;

    /// <summary>QoS 2 packet ids received and not yet released by PUBREL (§4.3.3).</summary>
    public HashSet<ushort> AwaitingRelease { get; } = [];

    /// <summary>Seconds the session outlives its connection.</summary>
    public uint ExpirySeconds { get; set; }

    /// <summary>A will waiting for its delay (5.0 §3.1.3.2.2) and its timer.</summary>
    public PendingWill? Will { get; set; }

    public ITimer? ExpiryTimer { get; set; }

    /// <summary>Set once the session has ended; late deliveries then do nothing.</summary>
    public bool Ended { get; set; }

    /// <summary>Counts changes to what the session holds (messages, subscriptions, its connection), so persistence writes only sessions that changed.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The <see cref="Version"/> last written to the session store, and when (set by the broker's persistence).</summary>
    public (long Version, DateTimeOffset At) Persisted { get; set; } = (-1, default);

    /// <summary>When a connection last attached to it; a takeover announced for an earlier connect elsewhere is stale (<see cref="MqttBroker.CloseTakenOver"/>).</summary>
    public DateTimeOffset AttachedAt { get; private set; }

    /// <summary>When its last connection ended (null while connected); its expiry counts from then.</summary>
    public DateTimeOffset? DisconnectedAt { get; set; }

    /// <summary>Marks a change persistence must write.</summary>
    public void Changed() => Interlocked.Increment(ref _version);

    /// <summary>Attaches a connection and sends again what is unfinished (§4.4): PUBLISH with DUP, PUBREL for released ones, then queued messages.</summary>
    public void Attach(MqttConnection connection, ushort clientReceiveMaximum, DateTimeOffset now)
    {
        lock (this)
        {
            Changed();
            Connection = connection;
            AttachedAt = now;
            _window = Math.Min(options.MaximumInflight, clientReceiveMaximum);
            foreach (var (id, inflight) in _inflight.OrderBy(pair => pair.Value.Order))
            {
                connection.Send(inflight.Released
                    ? Outbound.Control(new PublishResponsePacket(MqttPacketType.PubRel, id))
                    : Outbound.Publish(inflight.Delivery, id, duplicate: true));
            }

            FillWindow(now);
        }
    }

    /// <summary>Detaches <paramref name="connection"/> if it still serves the session.</summary>
    public bool Detach(MqttConnection connection)
    {
        lock (this)
        {
            if (Connection != connection)
            {
                return false;
            }

            Connection = null;
            Changed();
            return true;
        }
    }

    /// <summary>Takes a QoS 1/2 delivery: sent now when the window has room, else queued; false when the queue is full and it was dropped.</summary>
    public bool Enqueue(in Delivery delivery)
    {
        lock (this)
        {
            if (Ended)
            {
                return true;
            }

            Changed();
            if (Connection is { } connection && _inflight.Count < _window && _queued.Count == 0)
            {
                // The session holds the pooled message until the exchange completes (MqttMessage's leases).
                delivery.Message.AddLease();
                connection.Send(Start(delivery));
                return true;
            }

            if (_queued.Count >= options.MaximumQueuedMessages)
            {
                return false;
            }

            delivery.Message.AddLease();
            _queued.Enqueue(delivery);
            Volatile.Write(ref _queuedCount, _queued.Count);
            return true;
        }
    }

    /// <summary>PUBACK (QoS 1) or PUBCOMP (QoS 2) for an outgoing message frees its slot; false when the id is not in flight in that state.</summary>
    public bool Complete(ushort packetId, MqttPacketType kind, DateTimeOffset now)
    {
        lock (this)
        {
            if (!_inflight.TryGetValue(packetId, out var inflight))
            {
                return false;
            }

            var expected = inflight.Delivery.QoS == MqttQualityOfService.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubComp;
            if (kind != expected || (kind == MqttPacketType.PubComp && !inflight.Released))
            {
                return false;
            }

            _inflight.Remove(packetId);
            inflight.Delivery.Message.ReleaseLease();
            Changed();
            FillWindow(now);
            return true;
        }
    }

    /// <summary>PUBREC for an outgoing QoS 2 message; false when the id is unknown.</summary>
    public bool Received(ushort packetId, bool failed, DateTimeOffset now)
    {
        lock (this)
        {
            if (!_inflight.TryGetValue(packetId, out var inflight) || inflight.Delivery.QoS != MqttQualityOfService.ExactlyOnce)
            {
                return false;
            }

            Changed();
            if (failed)
            {
                // 5.0 §4.3.3: a PUBREC with a failure code ends the exchange and frees the slot.
                _inflight.Remove(packetId);
                inflight.Delivery.Message.ReleaseLease();
                FillWindow(now);
            }
            else
            {
                _inflight[packetId] = inflight with { Released = true };
            }

            return true;
        }
    }

    /// <summary>Forgets an outgoing message that could not be sent (too large for the client).</summary>
    public void Discard(ushort packetId, DateTimeOffset now)
    {
        lock (this)
        {
            if (_inflight.Remove(packetId, out var discarded))
            {
                discarded.Delivery.Message.ReleaseLease();
                Changed();
                FillWindow(now);
            }
        }
    }

    /// <summary>
    /// Forgets the messages queued or in flight whose topic <paramref name="keep"/> refuses (permissions
    /// changed); a QoS 2 message the client already received (PUBREL pending) is kept. Returns how many.
    /// </summary>
    public int Prune(Func<string, bool> keep, DateTimeOffset now)
    {
        lock (this)
        {
            var dropped = 0;
            foreach (var (id, inflight) in _inflight.ToArray())
            {
                if (!inflight.Released && !keep(inflight.Delivery.Message.Topic))
                {
                    _inflight.Remove(id);
                    dropped++;
                }
            }

            var count = _queued.Count;
            for (var i = 0; i < count; i++)
            {
                var next = _queued.Dequeue();
                if (keep(next.Message.Topic))
                {
                    _queued.Enqueue(next);
                }
                else
                {
                    dropped++;
                }
            }

            Volatile.Write(ref _queuedCount, _queued.Count);
            if (dropped > 0)
            {
                Changed();
            }

            FillWindow(now);
            return dropped;
        }
    }

    /// <summary>What is held, for metrics and tests.</summary>
    public (int Inflight, int Queued) Held()
    {
        lock (this)
        {
            return (_inflight.Count, _queued.Count);
        }
    }

    /// <summary>The messages in flight (in the order they were sent) and queued, and the QoS 2 ids awaiting release, for the session store.</summary>
    public (List<Persistence.PersistedDelivery> Messages, ushort[] AwaitingRelease) Capture()
    {
        lock (this)
        {
            var messages = new List<Persistence.PersistedDelivery>(_inflight.Count + _queued.Count);
            foreach (var (id, inflight) in _inflight.OrderBy(pair => pair.Value.Order))
            {
                var d = inflight.Delivery;
                messages.Add(new Persistence.PersistedDelivery(id, inflight.Released, d.Message.Pin(), d.QoS, d.Retain, d.SubscriptionIds));
            }

            foreach (var d in _queued)
            {
                messages.Add(new Persistence.PersistedDelivery(0, false, d.Message.Pin(), d.QoS, d.Retain, d.SubscriptionIds));
            }

            return (messages, [.. AwaitingRelease]);
        }
    }

    /// <summary>Puts back what a stored session held, before any connection attaches: in-flight messages keep their packet ids (§4.4).</summary>
    public void Restore(IEnumerable<Persistence.PersistedDelivery> messages, IEnumerable<ushort> awaitingRelease)
    {
        lock (this)
        {
            foreach (var stored in messages)
            {
                var delivery = new Delivery(stored.Message, stored.QoS, stored.Retain, stored.SubscriptionIds.Count == 0 ? Delivery.NoIds : stored.SubscriptionIds);
                if (stored.PacketId != 0 && !_inflight.ContainsKey(stored.PacketId))
                {
                    _inflight[stored.PacketId] = new Inflight(delivery, _order++) { Released = stored.Released };
                    _lastPacketId = Math.Max(_lastPacketId, stored.PacketId);
                }
                else if (_queued.Count < options.MaximumQueuedMessages)
                {
                    _queued.Enqueue(delivery);
                }
            }

            AwaitingRelease.UnionWith(awaitingRelease);
            Volatile.Write(ref _queuedCount, _queued.Count);
        }
    }

    private void FillWindow(DateTimeOffset now)
    {
        while (Connection is { } connection && _inflight.Count < _window && _queued.TryDequeue(out var next))
        {
            Volatile.Write(ref _queuedCount, _queued.Count);
            // 5.0 §3.3.2.3.3: an expired message is not delivered.
            if (!next.Message.IsExpired(now))
            {
                connection.Send(Start(next));
            }
            else
            {
                next.Message.ReleaseLease();
            }
        }
    }

    private Outbound Start(in Delivery delivery)
    {
        // §2.2.1: packet ids are non-zero and unique among those in flight.
        do
        {
            _lastPacketId = (ushort)(_lastPacketId == ushort.MaxValue ? 1 : _lastPacketId + 1);
        }
        while (_inflight.ContainsKey(_lastPacketId));

        _inflight[_lastPacketId] = new Inflight(delivery, _order++);
        return Outbound.Publish(delivery, _lastPacketId, duplicate: false);
    }

    // A value, not an object: nothing is allocated per message in flight.
    private readonly record struct Inflight(Delivery Delivery, long Order)
    {
        public bool Released { get; init; }
    }
}

/// <summary>A will waiting to be published, with the policy of the connection that set it.</summary>
internal sealed record PendingWill(MqttMessage Message, IMqttClientPolicy Policy)
{
    public ITimer? Timer { get; set; }
}

/// <summary>One item of a connection's outbound queue: a control packet, or a message with its packet id.</summary>
internal readonly struct Outbound
{
    private Outbound(MqttPacket? packet, Delivery delivery, ushort packetId, bool duplicate, MqttPacketType acknowledgement = 0, MqttReasonCode reasonCode = 0)
    {
        Packet = packet;
        Delivery = delivery;
        PacketId = packetId;
        Duplicate = duplicate;
        Acknowledgement = acknowledgement;
        ReasonCode = reasonCode;
    }

    public MqttPacket? Packet { get; }

    public Delivery Delivery { get; }

    public ushort PacketId { get; }

    public bool Duplicate { get; }

    /// <summary>PUBACK, PUBREC, PUBREL or PUBCOMP sent without a packet object (0: not an acknowledgement).</summary>
    public MqttPacketType Acknowledgement { get; }

    public MqttReasonCode ReasonCode { get; }

    /// <summary>True for a message to deliver (it holds a lease on it while queued, <see cref="MqttMessage"/>).</summary>
    public bool IsDelivery => Packet is null && Acknowledgement == 0;

    public static Outbound Control(MqttPacket packet) => new(packet, default, 0, false);

    public static Outbound Acknowledge(MqttPacketType kind, ushort packetId, MqttReasonCode reasonCode) => new(null, default, packetId, false, kind, reasonCode);

    public static Outbound Publish(in Delivery delivery, ushort packetId, bool duplicate) => new(null, delivery, packetId, duplicate);
}
