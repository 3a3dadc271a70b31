using Rampart.Mqtt.Broker;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>The publisher's reusable wait for a congested subscriber (docs/mqtt.md, "Slow and stuck subscribers").</summary>
public sealed class CongestionWaiterTests
{
    // Far beyond any wait these tests expect to end by a signal, so a loaded machine cannot turn a signal into a timeout.
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_wait_ends_with_room_when_the_subscriber_signals()
    {
        using var waiter = new CongestionWaiter(TimeProvider.System, CancellationToken.None);
        var wait = waiter.Arm(Long);
        Assert.False(wait.IsCompleted);
        waiter.Signal();
        Assert.Equal(CongestionWaiter.Outcome.Room, await wait.AsTask().WaitAsync(Long));
    }

    [Fact]
    public async Task A_wait_nobody_signals_times_out()
    {
        using var waiter = new CongestionWaiter(TimeProvider.System, CancellationToken.None);
        Assert.Equal(CongestionWaiter.Outcome.TimedOut, await waiter.Arm(TimeSpan.FromMilliseconds(50)).AsTask().WaitAsync(Long));
    }

    [Fact]
    public async Task A_signal_while_no_wait_is_armed_does_not_end_the_next_wait()
    {
        using var waiter = new CongestionWaiter(TimeProvider.System, CancellationToken.None);
        waiter.Signal();
        Assert.Equal(CongestionWaiter.Outcome.TimedOut, await waiter.Arm(TimeSpan.FromMilliseconds(100)).AsTask().WaitAsync(Long));
    }

    [Fact]
    public async Task A_timer_of_an_earlier_wait_does_not_end_a_later_one_early()
    {
        using var waiter = new CongestionWaiter(TimeProvider.System, CancellationToken.None);

        // The first wait's timer is re-armed by the second; its deadline (not the first's) decides.
        var first = waiter.Arm(TimeSpan.FromMilliseconds(20));
        waiter.Signal();
        Assert.Equal(CongestionWaiter.Outcome.Room, await first);
        var started = TimeProvider.System.GetTimestamp();
        Assert.Equal(CongestionWaiter.Outcome.TimedOut, await waiter.Arm(TimeSpan.FromMilliseconds(400)).AsTask().WaitAsync(Long));
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(380), "the later wait ended before its own deadline");
    }

    [Fact]
    public async Task Cancelling_the_connection_ends_the_armed_wait_and_every_later_one()
    {
        using var closing = new CancellationTokenSource();
        using var waiter = new CongestionWaiter(TimeProvider.System, closing.Token);
        var wait = waiter.Arm(Long);
        await closing.CancelAsync();
        Assert.Equal(CongestionWaiter.Outcome.Cancelled, await wait.AsTask().WaitAsync(Long));
        Assert.Equal(CongestionWaiter.Outcome.Cancelled, await waiter.Arm(Long).AsTask().WaitAsync(Long));
    }

    [Fact]
    public async Task One_waiter_serves_many_waits_in_turn()
    {
        using var waiter = new CongestionWaiter(TimeProvider.System, CancellationToken.None);
        for (var i = 0; i < 10_000; i++)
        {
            var wait = waiter.Arm(Long);
            waiter.Signal();
            Assert.Equal(CongestionWaiter.Outcome.Room, await wait);
        }
    }
}
