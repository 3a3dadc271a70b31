using Rampart.Detection.Metrics;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;

namespace Rampart.Detection.Tests.Metrics;

/// <summary>The observer's last-publisher shortcut (docs/detection.md, "Cost per message") never counts a message for the wrong device or into a device no longer followed.</summary>
public sealed class CollectorFastPathTests
{
    private readonly ManualTimeProvider _clock = new();

    private static MqttMessage Message(string publisher, int bytes) =>
        new($"devices/{publisher[7..]}/telemetry", new byte[bytes], MqttQualityOfService.AtMostOnce, false, MqttProperties.Empty, publisher[7..], null, publisher);

    [Fact]
    public void Messages_of_two_devices_interleaved_on_one_thread_are_each_counted_for_their_own_publisher()
    {
        var collector = new BehaviourCollector(new DetectionOptions(), null);
        string d1 = "device:d1", d2 = "device:d2";
        foreach (var (publisher, bytes) in new[] { (d1, 10), (d1, 10), (d2, 700), (d1, 10), (d2, 700), (d2, 700) })
        {
            collector.Observe(Message(publisher, bytes));
        }

        var windows = collector.Close(_clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(1)).ToDictionary(w => w.DeviceId);

        Assert.Equal((10f, 700f), (windows["d1"][BehaviourMetric.MaxMessageBytes], windows["d2"][BehaviourMetric.MaxMessageBytes]));
    }

    [Fact]
    public void A_device_that_comes_back_after_it_was_no_longer_followed_is_counted_again_by_the_same_publisher_name()
    {
        var options = new DetectionOptions { EvictIdleAfterWindows = 2 };
        var collector = new BehaviourCollector(options, null);
        var publisher = "device:d1";
        collector.Observe(Message(publisher, 10));
        for (var i = 0; i < 3; i++)
        {
            collector.Close(_clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(1));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(0, collector.Devices);

        // The same principal string (one connection's) publishes again on this thread: followed anew, not into the evicted entry.
        collector.Observe(Message(publisher, 300));
        var window = Assert.Single(collector.Close(_clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(1)));
        Assert.Equal(("d1", 300f), (window.DeviceId, window[BehaviourMetric.MaxMessageBytes]));
        Assert.Equal(1, collector.Devices);
    }
}
