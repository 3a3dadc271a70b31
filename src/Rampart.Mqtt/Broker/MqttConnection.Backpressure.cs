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
        if (Volatile.Read(ref _room) is not null && HasRoom)
        {
            Interlocked.Exchange(ref _room, null)?.TrySetResult();
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

    private int HighWater => Math.Max(1, _options.MaximumOutboundQueue / 2);

    private int SessionHighWater => Math.Max(1, _options.MaximumQueuedMessages / 2);

    private bool HasRoom =>
        Volatile.Read(ref _queuedQoS0) <= _options.MaximumOutboundQueue / 4 && Session.QueuedCount <= _options.MaximumQueuedMessages / 4;

    /// <summary>Packets the writer has written: how a publisher tells a slow subscriber from a stuck one.</summary>
    private long Progress => Interlocked.Read(ref _written);

    /// <summary>Completes when the outbound queue is down to a quarter (at once if it already is).</summary>
    private Task RoomAsync()
    {
        while (true)
        {
            var room = Volatile.Read(ref _room);
            if (room is null || room.Task.IsCompleted)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _room, created, room) != room)
                {
                    continue;
                }

                room = created;
            }

            // Checked after publishing the signal, so a writer that drains meanwhile cannot be missed.
            if (HasRoom || _closed != 0)
            {
                Interlocked.CompareExchange(ref _room, null, room);
                room.TrySetResult();
            }

            return room.Task;
        }
    }

    // After each read, a publisher waits for the subscribers its messages congested, as long as they make
    // progress: a stuck one must not hold publishers back, so then it reads on and the excess is dropped.
    private async ValueTask WaitForCongestedAsync(CancellationToken cancellationToken)
    {
        if (t_congested is not { Count: > 0 } congested)
        {
            return;
        }

        // Copied off the thread-static list (the wait may resume on another thread); reused by this read loop alone.
        var subscribers = _waitingFor ??= [];
        subscribers.Clear();
        foreach (var subscriber in congested)
        {
            if (subscriber != this)
            {
                subscribers.Add(subscriber);
            }
        }

        congested.Clear();
        foreach (var subscriber in subscribers)
        {
            var progress = subscriber.Progress;
            while (true)
            {
                try
                {
                    await subscriber.RoomAsync().WaitAsync(CongestionWait, _time, cancellationToken);
                    break;
                }
                catch (TimeoutException) when (subscriber.Progress != progress)
                {
                    progress = subscriber.Progress;
                }
                catch (TimeoutException)
                {
                    // No progress at all: stuck. Publishers stop waiting for it until it writes again.
                    subscriber._stuck = true;
                    break;
                }
            }
        }

        subscribers.Clear();
    }
}
