namespace Rampart.Cluster.Fabric;

/// <summary>
/// Backpressure from NATS to the node's publishers (issue 15, cross-node throughput). Core NATS is
/// at-most-once and the outbound queue drops what does not fit, but a node that reads QoS 0 messages
/// faster than it can hand them to NATS spends its CPU on messages it then drops: past half full, the
/// broker pauses each publisher after the packet that found it so (as for a congested local subscriber),
/// TCP pushes back on the devices, and the node takes in what the fabric carries. A queue that does not
/// move for a whole wait (NATS unreachable) is stuck: publishers read on and the excess is dropped, so
/// a lost NATS connection never stalls local delivery.
/// </summary>
public sealed partial class NatsBrokerFabric
{
    private readonly int _highWater;
    private readonly int _lowWater;
    private readonly TimeProvider _time;
    private readonly Lock _roomLock = new();
    private TaskCompletionSource? _room;
    private int _queued;
    private long _taken;
    private volatile bool _stuck;

    /// <inheritdoc />
    public bool Congested => Volatile.Read(ref _queued) >= _highWater && !_stuck;

    /// <inheritdoc />
    public async ValueTask WaitForRoomAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task room;
        lock (_roomLock)
        {
            if (Volatile.Read(ref _queued) <= _lowWater || _stuck)
            {
                return;
            }

            room = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        var taken = Interlocked.Read(ref _taken);
        try
        {
            await room.WaitAsync(timeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Not one message left the queue in the whole wait: stuck until the send loop takes the next one.
            if (Interlocked.Read(ref _taken) == taken)
            {
                _stuck = true;
            }
        }
    }

    // Counted before the write: a full queue's drop callback takes the count back at once.
    private void Enqueue(Outgoing outgoing)
    {
        Interlocked.Increment(ref _queued);
        if (!_outbound.Writer.TryWrite(outgoing))
        {
            // Completed (the fabric stops): nothing was queued and no drop callback runs.
            Interlocked.Decrement(ref _queued);
        }
    }

    // The send loop took one: wakes the waiting publishers once the queue is down to a quarter.
    private void Dequeued()
    {
        var left = Interlocked.Decrement(ref _queued);
        Interlocked.Increment(ref _taken);

        // Moving again only once it is below half: a send that gets through now and then while NATS is
        // down must not bring every publisher back to a 2 s wait per message.
        if (_stuck && left < _highWater)
        {
            _stuck = false;
        }

        if (left <= _lowWater && Volatile.Read(ref _room) is not null)
        {
            lock (_roomLock)
            {
                _room?.TrySetResult();
                _room = null;
            }
        }
    }
}
