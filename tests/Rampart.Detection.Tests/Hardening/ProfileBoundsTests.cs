using System.Diagnostics.Metrics;

namespace Rampart.Detection.Tests.Hardening;

public sealed class ProfileBoundsTests
{
    [Fact]
    public async Task Past_the_device_limit_the_least_recently_judged_profile_is_evicted_and_the_new_device_is_judged()
    {
        using var meter = new DetectionMeter();
        var fleet = new Fleet(options: new DetectionOptions { MaxDevices = 2 }, meter: meter);
        await fleet.NormalAsync(3, "d1", "d2");
        await fleet.NormalAsync(1, "d2");

        await fleet.NormalAsync(1, "d3");

        Assert.Equal(2, fleet.Engine.Profiles);
        Assert.Equal(1, fleet.Samples("d3"));
        Assert.Equal(4, fleet.Samples("d2"));
        Assert.Equal(0, fleet.Samples("d1"));
        Assert.Equal(1, fleet.Engine.Evicted);
        Assert.Equal(1, Observed(meter, "rampart.detection.profiles.evicted"));
    }

    private static long Observed(DetectionMeter meter, string instrument)
    {
        long value = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (published, l) =>
        {
            if (published.Meter == meter.Meter && published.Name == instrument)
            {
                l.EnableMeasurementEvents(published);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}
