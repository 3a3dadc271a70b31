namespace Rampart.Mqtt.Broker;

/// <summary>Backpressure: a publisher pauses for the subscribers its messages congested, as long as they make progress (docs/mqtt.md, "Slow and stuck subscribers").</summary>
internal sealed partial class MqttConnection
{
    /// <summary>Queues a QoS 0 message; dropped when the outbound queue is full (the reader is too slow).</summary>
    public void SendQoS0(in Delivery delivery)
    {
        var queued = Interlocked.Increment(ref _queuedQoS0);
        if (queued > _options.MaximumOutboundQueue)
        {
            Interlocked.Decrement(ref _queuedQoS0);
            Policy.OnDropped("outbound-queue-full");
        }
        else
        {
            Send(Outbound.Publish(delivery, 0, duplicate: false));
        }

        if (queued >= HighWater)
        {
            MarkCongested();
        }
    }

    /// <summary>The message just routed on this thread went into the cluster fabric's queue and found it past half full: its publisher pauses.</summary>
    internal static void MarkFabricCongested() => t_fabricCongested = true;

    /// <summary>A QoS 1/2 message was queued for this connection's session: past half the session queue, publishers pause too.</summary>
    public void SessionBacklogGrew()
    {
        if (Session.QueuedCount >= SessionHighWater)
        {
            MarkCongested();
        }
    }

    /// <summary>Called as the backlog shrinks (a write, an acknowledgement): wakes publishers once it is down to a quarter.</summary>
    public void SignalRoomIfDrained()
    {
        if (Volatile.Read(ref _roomWaiterCount) > 0 && HasRoom)
        {
            WakeRoomWaiters();
        }
    }

    // Half full: every publisher adding to it pauses after the packet that did (TCP pushes back on it)
    // until this reader catches up.
    private void MarkCongested()
    {
        if (_stuck)
        {
            return;
        }

        var congested = t_congested ??= [];
        if (!congested.Contains(this))
        {
            congested.Add(this);
        }
    }

    private List<MqttConnection>? _waitingFor;

    // This connection as a publisher: its one reusable wait (made at the first congestion it meets).
    private CongestionWaiter? _congestionWaiter;

    // This connection as a subscriber: the publishers waiting for its room (made when the first one waits).
    private List<CongestionWaiter>? _roomWaiters;
    private int _roomWaiterCount;

    private int HighWater => Math.Max(1, _options.MaximumOutboundQueue / 2);

    private int SessionHighWater => Math.Max(1, _options.MaximumQueuedMessages / 2);

    private bool HasRoom =>
        Volatile.Read(ref _queuedQoS0) <= _options.MaximumOutboundQueue / 4 && Session.QueuedCount <= _options.MaximumQueuedMessages / 4;

    /// <summary>Packets the writer has written: how a publisher tells a slow subscriber from a stuck one.</summary>
    private long Progress => Interlocked.Read(ref _written);

    /// <summary>
    /// Arms <paramref name="waiter"/> and registers it for this connection's room: it is signalled when the
    /// outbound queue is down to a quarter (at once if it already is) or the connection closes.
    /// </summary>
    private ValueTask<CongestionWaiter.Outcome> RoomAsync(CongestionWaiter waiter, TimeSpan timeout)
    {
        // Armed before it is registered, so a writer that drains meanwhile cannot signal into nothing.
        var wait = waiter.Arm(timeout);
        var waiters = _roomWaiters ?? Interlocked.CompareExchange(ref _roomWaiters, [], null) ?? _roomWaiters!;
        lock (waiters)
        {
            waiters.Add(waiter);
            Volatile.Write(ref _roomWaiterCount, waiters.Count);
        }

        // Checked after registering, for the same reason.
        if (HasRoom || _closed != 0)
        {
            WakeRoomWaiters();
        }

        return wait;
    }

    private void WakeRoomWaiters()
    {
        if (_roomWaiters is not { } waiters)
        {
            return;
        }

        lock (waiters)
        {
            foreach (var waiter in waiters)
            {
                waiter.Signal();
            }

            waiters.Clear();
            Volatile.Write(ref _roomWaiterCount, 0);
        }
    }

    private void ForgetRoomWaiter(CongestionWaiter waiter)
    {
        if (_roomWaiters is { } waiters)
        {
            lock (waiters)
            {
                waiters.Remove(waiter);
                Volatile.Write(ref _roomWaiterCount, waiters.Count);
            }
        }
    }

    // After each read, a publisher waits for the subscribers its messages congested, as long as they make
    // progress: a stuck one must not hold publishers back, so then it reads on and the excess is dropped.
    // Pooled state machine: a publisher that pauses often allocates nothing for it.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitForCongestedAsync(CancellationToken cancellationToken)
    {
        var fabric = t_fabricCongested;
        t_fabricCongested = false;
        if (!fabric && t_congested is not { Count: > 0 })
        {
            return;
        }

        // Copied off the thread-static list before any wait (the wait may resume on another thread); reused by this read loop alone.
        var subscribers = _waitingFor ??= [];
        subscribers.Clear();
        if (t_congested is { Count: > 0 } congested)
        {
            foreach (var subscriber in congested)
            {
                if (subscriber != this)
                {
                    subscribers.Add(subscriber);
                }
            }

            congested.Clear();
        }

        if (fabric)
        {
            await _broker.WaitForFabricRoomAsync(CongestionWait, cancellationToken);
        }

        var waiter = _congestionWaiter ??= new CongestionWaiter(_time, cancellationToken);
        foreach (var subscriber in subscribers)
        {
            var progress = subscriber.Progress;
            while (true)
            {
                var outcome = await subscriber.RoomAsync(waiter, CongestionWait);

                // Out of its list whatever ended the wait, so no later wake-up of this subscriber ends another wait.
                subscriber.ForgetRoomWaiter(waiter);
                if (outcome == CongestionWaiter.Outcome.Room)
                {
                    break;
                }

                if (outcome == CongestionWaiter.Outcome.Cancelled)
                {
                    subscribers.Clear();
                    throw new OperationCanceledException(cancellationToken);
                }

                if (subscriber.Progress == progress)
                {
                    // No progress at all: stuck. Publishers stop waiting for it until it writes again.
                    subscriber._stuck = true;
                    break;
                }

                progress = subscriber.Progress;
            }
        }

        subscribers.Clear();
    }
}
