using Rampart.Fleet.Gateway;
namespace Rampart.Fleet.Tests.Gateway;

public sealed class IdentityLimitCacheTests
{
    private readonly SteppingClock _clock = new();

    [Fact]
    public void The_same_identity_gets_the_same_limits_so_a_spent_budget_stays_spent()
    {
        var cache = new IdentityLimitCache(new GatewayOptions { DeviceMessagesPerSecond = 1, DeviceMessageBurst = 2 }, _clock);

        Assert.Equal(PublishBudget.Within, cache.For("device:d1", ClientKind.Device).TryPublish(1));
        Assert.Equal(PublishBudget.Within, cache.For("device:d1", ClientKind.Device).TryPublish(1));

        Assert.Equal(PublishBudget.MessageRate, cache.For("device:d1", ClientKind.Device).TryPublish(1));
        Assert.Equal(PublishBudget.Within, cache.For("device:d2", ClientKind.Device).TryPublish(1));
    }

    [Fact]
    public void Past_its_capacity_the_cache_forgets_the_least_recently_used_idle_identities_and_never_a_connected_one()
    {
        var cache = new IdentityLimitCache(new GatewayOptions { MaxTrackedIdentities = 10 }, _clock);
        var connected = cache.For("device:connected", ClientKind.Device);
        connected.Opened();
        for (var i = 0; i < 30; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            cache.For($"device:d{i}", ClientKind.Device).TryConnect();
        }

        Assert.InRange(cache.Count, 1, 10);
        Assert.True(cache.Evicted >= 20);
        Assert.Same(connected, cache.For("device:connected", ClientKind.Device));
        var newest = cache.For("device:d29", ClientKind.Device);
        Assert.Same(newest, cache.For("device:d29", ClientKind.Device));
    }

    [Fact]
    public void A_connection_being_opened_is_counted_before_eviction_can_see_its_entry()
    {
        var cache = new IdentityLimitCache(new GatewayOptions { MaxTrackedIdentities = 10 }, _clock);

        // The gateway's order: look up and count, then (while the CONNECT is decided) other identities fill the cache.
        var opened = cache.Open("device:a", ClientKind.Device);
        for (var i = 0; i < 30; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            cache.For($"device:d{i}", ClientKind.Device).TryConnect();
        }

        Assert.True(cache.Evicted >= 20);
        Assert.Same(opened, cache.For("device:a", ClientKind.Device));
        Assert.Equal(1, opened.Connections);
        opened.Closed();
        Assert.Equal(0, cache.For("device:a", ClientKind.Device).Connections);
    }

    [Fact]
    public async Task Connections_opened_from_many_threads_while_eviction_runs_are_never_evicted_and_never_lose_their_count()
    {
        var cache = new IdentityLimitCache(new GatewayOptions { MaxTrackedIdentities = 8 }, TimeProvider.System);
        var lost = 0;
        var opened = 0;

        // Four threads open and close connections of 64 identities through a cache of 8: eviction runs
        // all the time. An entry holding a connection must stay the one the cache hands out, with its count.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var principal = $"device:d{(i * 7 + worker * 13) % 64}";
                var limits = cache.Open(principal, ClientKind.Device);
                if (!ReferenceEquals(limits, cache.For(principal, ClientKind.Device)) || limits.Connections < 1)
                {
                    Interlocked.Increment(ref lost);
                }

                Interlocked.Increment(ref opened);
                limits.Closed();
            }
        })));

        Assert.Equal(80_000, opened);
        Assert.Equal(0, lost);
        Assert.True(cache.Evicted > 0, "the cache never evicted, so the race was not exercised");
    }

    [Fact]
    public void Denials_are_counted_per_window_and_start_again_after_it()
    {
        var limits = new IdentityLimits(ClientKind.Device, new GatewayOptions { LimitWindow = TimeSpan.FromMinutes(10) }, _clock);

        Assert.Equal(1, limits.Denied());
        Assert.Equal(2, limits.Denied());
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(1, limits.Denied());
    }

    [Fact]
    public void A_service_is_not_rate_limited_but_a_device_reconnecting_too_fast_is()
    {
        var options = new GatewayOptions { DeviceConnectBurst = 2, DeviceConnectsPerMinute = 1 };
        var device = new IdentityLimits(ClientKind.Device, options, _clock);
        var service = new IdentityLimits(ClientKind.Service, options, _clock);

        Assert.Equal([true, true, false], new[] { device.TryConnect(), device.TryConnect(), device.TryConnect() });
        Assert.All(Enumerable.Range(0, 10), _ => Assert.True(service.TryConnect()));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(device.TryConnect());
    }
}

/// <summary>A clock whose timestamps (what token buckets and windows read) move only when the test moves them.</summary>
internal sealed class SteppingClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UnixEpoch.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
