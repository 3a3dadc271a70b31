using System.Diagnostics;
using System.Globalization;
using Rampart.Detection;
using Rampart.Detection.Metrics;
using Rampart.Fleet.Gateway;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench.Detection;

/// <summary>
/// <c>detection-overhead [--publishers 4] [--messages 100000] [--rounds 5]</c>: process CPU time per
/// message through the broker core with detection's observer off and on, alternating in one run
/// (publishers are devices, so the observer does its full work: lookup, lock, sizes, topics). The
/// broker core without TLS is the smallest denominator the gateway has, so the percentage is an upper
/// bound of what detection adds to the gateway's CPU per message.
/// </summary>
internal static class DetectionOverheadBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var publishers = arguments.Int("publishers", 4);
        var messages = arguments.Int("messages", 100_000);
        var rounds = arguments.Int("rounds", 5);
        var off = new List<double>();
        var on = new List<double>();
        await RoundAsync(publishers, 10_000, detection: true); // warm-up: JIT, pools
        for (var round = 0; round < rounds; round++)
        {
            off.Add(await RoundAsync(publishers, messages, detection: false));
            on.Add(await RoundAsync(publishers, messages, detection: true));
        }

        var offMedian = off.Order().ElementAt(off.Count / 2);
        var onMedian = on.Order().ElementAt(on.Count / 2);
        var observer = ObserverAlone(devices: 1000, calls: 5_000_000, run: 1);
        var inRuns = ObserverAlone(devices: 1000, calls: 5_000_000, run: 64);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detection-overhead publishers={publishers} messages={publishers * messages} rounds={rounds}: CPU per message off {offMedian:0.00} µs, on {onMedian:0.00} µs (median), detection adds {100 * (onMedian - offMedian) / offMedian:0.#} %; " +
            $"the observer alone {observer:0} ns CPU per message = {100 * observer / 1000 / offMedian:0.#} % of the broker core's (every message from another device), " +
            $"{inRuns:0} ns in runs of 64 messages per device (a connection's loop, one flush)"));
    }

    // The collector's per-message work on its own, one thread, over 1,000 devices' messages in runs of
    // `run` messages per device (CPU time, not wall time). Run 1 defeats the thread's last-publisher cache.
    private static double ObserverAlone(int devices, int calls, int run)
    {
        var collector = new BehaviourCollector(new DetectionOptions(), new TrafficCounters());
        var payload = new byte[64];
        var messages = Enumerable.Range(0, devices).Select(i => new MqttMessage($"devices/d{i}/telemetry/temp", payload, MqttQualityOfService.AtMostOnce, false,
            MqttProperties.Empty, $"d{i}", null, $"device:d{i}")).ToArray();
        foreach (var message in messages)
        {
            collector.Observe(message);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < calls; i++)
        {
            collector.Observe(messages[(i / run) % devices]);
        }

        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / calls;
    }

    // CPU µs per message for one round: publishers → broker → one subscriber, QoS 0.
    private static async Task<double> RoundAsync(int publishers, int messages, bool detection)
    {
        using var broker = new MqttBroker(new BrokerOptions { MaximumOutboundQueue = 100_000 }, TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var collector = new BehaviourCollector(new DetectionOptions(), new TrafficCounters());
        using var observation = detection ? broker.ObserveInline("#", collector.Observe) : null;
        var expected = (long)publishers * messages;
        var subscriber = await BrokerFanIn.SubscribeAsync(broker, new PrincipalPolicy("service:bench"), expected, stop.Token);
        return await subscriber.CpuPerMessageAsync(broker, publishers, messages, stop);
    }

    // The bench's allow-all policy under a device's name, so the observer sees a device publishing.
    internal sealed class PrincipalPolicy(string principal) : IMqttClientPolicy
    {
        private static readonly AllowAllPolicy Allow = AllowAllPolicy.Instance;

        public string Principal => principal;

        public Admission AuthorizeSession() => Allow.AuthorizeSession();

        public Admission AuthorizePublish(string topic, int bytes) => Allow.AuthorizePublish(topic, bytes);

        public Admission AuthorizeSubscribe(string filter) => Allow.AuthorizeSubscribe(filter);

        public bool MayKeepSubscription(string filter) => Allow.MayKeepSubscription(filter);

        public void OnConnected(bool sessionPresent, string? tookOverFrom) => Allow.OnConnected(sessionPresent, tookOverFrom);

        public void OnDelivered(int bytes) => Allow.OnDelivered(bytes);

        public void OnDropped(string reason) => Allow.OnDropped(reason);

        public void OnClosed(MqttReasonCode reason, string detail) => Allow.OnClosed(reason, detail);
    }
}
