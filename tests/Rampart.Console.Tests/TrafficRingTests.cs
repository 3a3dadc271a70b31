using Rampart.Server.WebConsole.Traffic;
using Counters = Rampart.Server.WebConsole.Traffic.DeviceTrafficRing.Counters;

namespace Rampart.Console.Tests;

public sealed class TrafficRingTests
{
    private const long Start = 29_000_000; // a minute since the Unix epoch (2025)

    [Fact]
    public void A_device_without_traffic_holds_no_ring_and_a_busy_one_keeps_each_minute_apart()
    {
        var ring = new DeviceTrafficRing();
        ring.Record(Start, default);
        var idle = ring.HasRing;

        ring.Record(Start + 1, new Counters(10, 1000, 2, 200, 1));
        ring.Record(Start + 2, new Counters(15, 1500, 2, 200, 4));

        Assert.False(idle);
        Assert.True(ring.HasRing);
        Assert.Equal(new Counters(10, 1000, 2, 200, 1), ring.At(Start + 1));
        Assert.Equal(new Counters(5, 500, 0, 0, 3), ring.At(Start + 2));
        Assert.Equal(default, ring.At(Start + 3));
    }

    [Fact]
    public void Minutes_without_a_sample_read_as_quiet_and_minutes_older_than_an_hour_fall_off()
    {
        var ring = new DeviceTrafficRing();
        ring.Record(Start, new Counters(1, 10, 0, 0, 0));
        ring.Record(Start + 5, new Counters(4, 40, 0, 0, 0));
        ring.Record(Start + 64, new Counters(6, 60, 0, 0, 0));

        // The slot of minute Start+4 was reused by Start+64: it is not read back as Start+4.
        Assert.Equal(default, ring.At(Start + 4));
        Assert.Equal(new Counters(3, 30, 0, 0, 0), ring.At(Start + 5));
        Assert.Equal(new Counters(2, 20, 0, 0, 0), ring.At(Start + 64));
        Assert.Equal(default, ring.At(Start + 63));
        Assert.Equal(default, ring.At(Start));
    }

    [Fact]
    public void A_ring_quiet_for_an_hour_is_released_and_a_counter_that_restarts_never_goes_negative()
    {
        var ring = new DeviceTrafficRing();
        ring.Record(Start, new Counters(3, 30, 0, 0, 0));
        ring.Record(Start + 30, new Counters(3, 30, 0, 0, 0));
        var afterHalfAnHour = ring.HasRing;
        ring.Record(Start + 60, new Counters(3, 30, 0, 0, 0));
        var afterAnHour = ring.HasRing;
        ring.Record(Start + 61, new Counters(1, 5, 0, 0, 0));

        Assert.True(afterHalfAnHour);
        Assert.False(afterAnHour);
        Assert.Equal(default, ring.At(Start + 61));
    }
}
