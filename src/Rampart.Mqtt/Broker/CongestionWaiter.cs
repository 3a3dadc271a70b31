using System.Threading.Tasks.Sources;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// A publisher's reusable wait for a congested subscriber to have room again (docs/mqtt.md, "Slow and
/// stuck subscribers"). One per connection that ever waits, made at its first wait: a congestion
/// episode then allocates nothing — no TaskCompletionSource, no timeout timer, no cancellation
/// promise — which kept a long QoS 1 run from promoting those objects into a gen 2 collection.
/// The publisher takes it out of the subscriber's list after every wait, so it is in at most one
/// list and no late wake-up can end a later wait.
/// </summary>
internal sealed class CongestionWaiter : IValueTaskSource<CongestionWaiter.Outcome>, IDisposable
{
    public enum Outcome
    {
        Room,
        TimedOut,
        Cancelled,
    }

    // A timer callback this close to the deadline counts as on time (timers tick in milliseconds, timestamps finer).
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(10);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _cancellation;
    private ManualResetValueTaskSourceCore<Outcome> _core = new() { RunContinuationsAsynchronously = true };
    private long _deadline;
    private bool _pending;
    private bool _cancelled;

    /// <param name="cancellationToken">The connection's read-loop token: cancelling it ends any wait, now and later.</param>
    public CongestionWaiter(TimeProvider time, CancellationToken cancellationToken)
    {
        _time = time;
        _timer = time.CreateTimer(static state => ((CongestionWaiter)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _cancellation = cancellationToken.UnsafeRegister(static state => ((CongestionWaiter)state!).Cancel(), this);
    }

    /// <summary>Arms a wait that ends with <see cref="Signal"/>, after <paramref name="timeout"/>, or on cancellation. One at a time.</summary>
    public ValueTask<Outcome> Arm(TimeSpan timeout)
    {
        bool cancelled;
        lock (_lock)
        {
            _core.Reset();
            _deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
            _pending = true;
            cancelled = _cancelled;
            if (!cancelled)
            {
                _timer.Change(timeout, Timeout.InfiniteTimeSpan);
            }
        }

        var wait = new ValueTask<Outcome>(this, _core.Version);
        if (cancelled)
        {
            Complete(Outcome.Cancelled);
        }

        return wait;
    }

    /// <summary>The subscriber has room: ends the armed wait, if any.</summary>
    public void Signal() => Complete(Outcome.Room);

    public void Dispose()
    {
        _cancellation.Dispose();
        _timer.Dispose();
    }

    private void Cancel()
    {
        lock (_lock)
        {
            _cancelled = true;
        }

        Complete(Outcome.Cancelled);
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_pending)
            {
                return;
            }

            // A callback of an earlier arming that was already on its way when the timer was re-armed:
            // wait out the rest of this one (re-arming, so the wait always ends).
            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), _deadline);
            if (remaining > Tolerance)
            {
                _timer.Change(remaining, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Complete(Outcome.TimedOut);
    }

    private void Complete(Outcome outcome)
    {
        lock (_lock)
        {
            if (!_pending)
            {
                return;
            }

            _pending = false;
        }

        // Continuations run on the thread pool (RunContinuationsAsynchronously): a subscriber's writer
        // signalling under its own lock never runs a publisher's read loop inline.
        _core.SetResult(outcome);
    }

    Outcome IValueTaskSource<Outcome>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<Outcome>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<Outcome>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
