using System.Text;
using Rampart.Detection.Metrics;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;

namespace Rampart.Detection.Tests.Metrics;

/// <summary>Only what the authenticated device did itself is its behaviour; ids nobody proved do not grow the collector.</summary>
public sealed class CollectorAttributionTests
{
    private readonly ManualTimeProvider _clock = new();

    private SecurityEvent Event(string kind, string device) => new(_clock.GetUtcNow(), kind, SecuritySeverity.Warning, device, "10.0.0.9:1", new Dictionary<string, string>());

    [Fact]
    public void A_posture_report_on_another_devices_topic_counts_for_neither_and_creates_no_entry_for_the_named_device()
    {
        var collector = new BehaviourCollector(new DetectionOptions(), new TrafficCounters());
        var report = Encoding.UTF8.GetBytes("""{"firmwareVersion":"2.1.0","bootCounter":9,"listeningPorts":[23],"tamperFlags":["case-open"]}""");

        // d1 (authenticated) publishes a posture in d2's name.
        collector.Observe(new MqttMessage("devices/d2/state", report, MqttQualityOfService.AtLeastOnce, false, MqttProperties.Empty, "d1", null, "device:d1"));
        var start = _clock.GetUtcNow();
        var window = Assert.Single(collector.Close(start, start.AddMinutes(1)));

        Assert.Equal("d1", window.DeviceId);
        Assert.Null(window.Posture);
        Assert.Equal(0, window[BehaviourMetric.ListeningPorts]);
        Assert.Equal(1, collector.Devices);
    }

    [Fact]
    public void Events_naming_devices_that_never_connected_do_not_fill_the_collector()
    {
        var collector = new BehaviourCollector(new DetectionOptions { MaxDevices = 10 }, new TrafficCounters());
        for (var i = 0; i < 100; i++)
        {
            collector.Observe(Event("device.report-not-attributed", $"made-up-{i}"));
            collector.Observe(Event("gateway.publish-denied", $"made-up-{i}"));
        }

        Assert.Equal(0, collector.Devices);
        Assert.Equal(0, collector.Untracked);

        // A device the gateway authenticated is followed, and its later refusals count.
        collector.Observe(Event("gateway.connected", "real-1"));
        collector.Observe(Event("gateway.publish-denied", "real-1"));
        collector.Observe(Event("device.report-not-attributed", "real-1"));
        var start = _clock.GetUtcNow();
        var window = Assert.Single(collector.Close(start, start.AddMinutes(1)));
        Assert.Equal("real-1", window.DeviceId);
        Assert.Equal(1, window.Events.GetValueOrDefault("gateway.publish-denied"));
        Assert.False(window.Events.ContainsKey("device.report-not-attributed"));
    }
}
