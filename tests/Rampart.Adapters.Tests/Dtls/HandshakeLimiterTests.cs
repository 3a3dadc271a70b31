using System.Net;
using Rampart.Adapters.Dtls;
using Rampart.Testing;

namespace Rampart.Adapters.Tests.Dtls;

/// <summary>The limits on DTLS handshakes after the cookie exchange, on a manual clock.</summary>
public sealed class HandshakeLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void One_source_holds_at_most_its_concurrent_handshakes_and_a_finished_one_frees_its_slot()
    {
        var limiter = new HandshakeLimiter(10, 2, 600, 100, new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        var first = limiter.TryBegin(A).Lease;
        var second = limiter.TryBegin(A).Lease;
        var (third, limit) = limiter.TryBegin(A);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.Contains("maximum of 2", limit, StringComparison.Ordinal);
        Assert.NotNull(limiter.TryBegin(B).Lease);
        first!.Dispose();
        first.Dispose();
        Assert.NotNull(limiter.TryBegin(A).Lease);
        Assert.Equal((3, 1L), (limiter.Open, limiter.Refused));
    }

    [Fact]
    public void The_node_wide_bound_holds_across_sources()
    {
        var limiter = new HandshakeLimiter(3, 3, 600, 100, new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(limiter.TryBegin(IPAddress.Parse($"198.51.100.{i + 1}")).Lease);
        }

        var (lease, limit) = limiter.TryBegin(IPAddress.Parse("198.51.100.99"));
        Assert.Null(lease);
        Assert.Contains("the node runs its maximum of 3", limit, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_past_its_burst_waits_for_the_rate_to_refill()
    {
        var clock = new SteppedClock();
        var limiter = new HandshakeLimiter(100, 100, 60, 3, clock);
        for (var i = 0; i < 3; i++)
        {
            limiter.TryBegin(A).Lease!.Dispose();
        }

        var (refused, limit) = limiter.TryBegin(A);
        Assert.Null(refused);
        Assert.Contains("faster than 60/min", limit, StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.NotNull(limiter.TryBegin(A).Lease);
    }
}

/// <summary>A manual clock whose timestamps move with it (token buckets read timestamps, not the wall clock).</summary>
internal sealed class SteppedClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _now.UtcTicks;

    public void Advance(TimeSpan by) => _now += by;
}
