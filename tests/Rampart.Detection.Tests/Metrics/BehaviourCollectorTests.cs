using System.Text;
using Rampart.Detection.Metrics;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;

namespace Rampart.Detection.Tests.Metrics;

public sealed class BehaviourCollectorTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly TrafficCounters _traffic = new();

    private static MqttMessage Message(string topic, int bytes, string? publisher) =>
        new(topic, new byte[bytes], MqttQualityOfService.AtLeastOnce, false, MqttProperties.Empty, "c", null, publisher);

    private static MqttMessage Report(string device, string json, string? publisher = null) =>
        new($"devices/{device}/state", Encoding.UTF8.GetBytes(json), MqttQualityOfService.AtLeastOnce, false, MqttProperties.Empty, device, null, publisher ?? "device:" + device);

    private SecurityEvent Event(string kind, string device, string? source = null) => new(_clock.GetUtcNow(), kind, SecuritySeverity.Info, device, source, new Dictionary<string, string>());

    [Fact]
    public void A_window_holds_the_devices_traffic_as_differences_of_the_gateway_counters_plus_sizes_topics_session_and_addresses()
    {
        var collector = new BehaviourCollector(new DetectionOptions(), _traffic);
        var counters = _traffic.For("device:d1");
        counters.MessageIn(10_000); // before detection followed the device: not this window's
        var start = _clock.GetUtcNow();
        collector.Observe(Event("gateway.connected", "d1", "10.0.0.5:40000"));
        for (var i = 0; i < 19; i++)
        {
            counters.MessageIn(100);
            collector.Observe(Message($"devices/d1/telemetry/{i % 3}", 100, "device:d1"));
        }

        counters.MessageIn(5000);
        collector.Observe(Message("devices/d1/telemetry/0", 5000, "device:d1"));
        counters.Denied();
        counters.Denied();
        collector.Observe(Message("devices/d2/telemetry", 50, "device:d2"));
        collector.Observe(Message("devices/d1/commands/x", 50, null)); // the server's, not the device's
        _clock.Advance(TimeSpan.FromSeconds(30));
        collector.Observe(Event("gateway.disconnected", "d1"));
        _clock.Advance(TimeSpan.FromSeconds(30));

        var window = collector.Close(start, _clock.GetUtcNow()).Single(w => w.DeviceId == "d1");

        Assert.Equal(20, window[BehaviourMetric.MessagesIn]);
        Assert.Equal(6900, window[BehaviourMetric.BytesIn]);
        Assert.Equal(5000, window[BehaviourMetric.MaxMessageBytes]);
        Assert.Equal(128, window[BehaviourMetric.P95MessageBytes]);
        Assert.Equal(3, window[BehaviourMetric.DistinctTopics]);
        Assert.Equal(2, window[BehaviourMetric.AuthorizationFailures]);
        Assert.Equal(30, window[BehaviourMetric.SessionSeconds]);
        Assert.Equal(["10.0.0.5"], window.Sources);
    }

    [Fact]
    public void The_next_window_starts_from_nothing_and_a_live_session_counts_in_full()
    {
        var collector = new BehaviourCollector(new DetectionOptions(), _traffic);
        var start = _clock.GetUtcNow();
        collector.Observe(Event("gateway.connected", "d1", "10.0.0.5:1"));
        collector.Observe(Message("devices/d1/t", 10, "device:d1"));
        _clock.Advance(TimeSpan.FromSeconds(60));
        collector.Close(start, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(60));

        var second = Assert.Single(collector.Close(start.AddSeconds(60), _clock.GetUtcNow()));

        Assert.Equal(0, second[BehaviourMetric.DistinctTopics]);
        Assert.Equal(60, second[BehaviourMetric.SessionSeconds]);
    }

    [Fact]
    public void Posture_reports_give_ports_destinations_and_restarts_and_only_the_devices_own_report_counts()
    {
        var collector = new BehaviourCollector(new DetectionOptions(), _traffic);
        var start = _clock.GetUtcNow();
        collector.Observe(Report("d1", """{"firmwareVersion":"2.1.0","bootCounter":3,"uptimeSeconds":100,"listeningPorts":[443,23],"destinations":["192.0.2.1:443"],"establishedConnections":4,"tamperFlags":[]}"""));
        collector.Observe(Report("d1", """{"firmwareVersion":"2.1.0","bootCounter":5,"uptimeSeconds":5,"listeningPorts":[443,23],"destinations":["192.0.2.1:443"],"establishedConnections":4,"tamperFlags":[]}"""));
        collector.Observe(Report("d1", """{"firmwareVersion":"2.1.0","bootCounter":99,"tamperFlags":["case-open"]}""", publisher: "service:ingest"));
        collector.Observe(Report("d1", "not json"));

        var window = Assert.Single(collector.Close(start, _clock.GetUtcNow()));

        Assert.Equal(2, window[BehaviourMetric.Reboots]);
        Assert.Equal(2, window[BehaviourMetric.ListeningPorts]);
        Assert.Equal(1, window[BehaviourMetric.Destinations]);
        Assert.Equal(4, window[BehaviourMetric.EstablishedConnections]);
        Assert.Empty(window.Posture!.TamperFlags);
        Assert.Equal(1, collector.InvalidPostures);
    }

    [Fact]
    public void Devices_past_the_limit_are_counted_not_kept_and_idle_devices_are_let_go()
    {
        var collector = new BehaviourCollector(new DetectionOptions { MaxDevices = 2, EvictIdleAfterWindows = 2 }, _traffic);
        foreach (var device in new[] { "d1", "d2", "d3" })
        {
            collector.Observe(Message($"devices/{device}/t", 10, "device:" + device));
        }

        Assert.Equal(2, collector.Devices);
        Assert.Equal(1, collector.Untracked);
        var now = _clock.GetUtcNow();
        Assert.Equal(2, collector.Close(now, now.AddMinutes(1)).Count);
        Assert.Empty(collector.Close(now.AddMinutes(1), now.AddMinutes(2)));
        collector.Close(now.AddMinutes(2), now.AddMinutes(3));
        Assert.Equal(0, collector.Devices);
    }
}
