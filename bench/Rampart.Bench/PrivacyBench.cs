using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Rampart.Bench.Detection;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Privacy;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Minimisation;
using Rampart.Privacy.Subjects;

namespace Rampart.Bench;

/// <summary>Privacy's figures (issue 19): minimisation throughput, the delivery filter's cost on topics without rules, KEK rotation.</summary>
internal static class PrivacyBench
{
    /// <summary><c>privacy-minimise [--messages 1000000]</c>: a 1 KiB JSON payload through three rules on one thread, in messages per CPU-second.</summary>
    public static Task MinimiseAsync(string[] args)
    {
        var messages = new BenchArguments(args).Int("messages", 1_000_000);
        var minimiser = new Minimiser(new MinimisationRuleOptions { Drop = ["owner"], Round = new() { ["lat"] = 2 }, Pseudonymise = ["serial"] });
        var payload = OneKibPayload();
        var key = new Pseudonyms(RandomNumberGenerator.GetBytes(32)).ServiceKey("analytics");
        for (var i = 0; i < 20_000; i++)
        {
            _ = minimiser.Apply(payload, key, out _);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        long bytes = 0;
        for (var i = 0; i < messages; i++)
        {
            bytes += minimiser.Apply(payload, key, out _)!.Length;
        }

        var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"privacy-minimise messages={messages} payload={payload.Length} B rules=3 (drop, round, pseudonymise): {messages / seconds:N0} msgs per CPU-second, {messages / wall.Elapsed.TotalSeconds:N0} msgs/s wall on one thread, out {bytes / messages} B"));
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>privacy-overhead [--publishers 4] [--messages 100000] [--rounds 5]</c>: CPU per message through
    /// the broker core with no delivery filter and with privacy's, alternating; the topics have no rules
    /// for the subscriber and their devices belong to no subject (the path every unruled topic takes).
    /// </summary>
    public static async Task OverheadAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var publishers = arguments.Int("publishers", 4);
        var messages = arguments.Int("messages", 100_000);
        var rounds = arguments.Int("rounds", 5);
        var filter = Filter();
        await RoundAsync(publishers, 10_000, filter);
        var off = new List<double>();
        var on = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            off.Add(await RoundAsync(publishers, messages, null));
            on.Add(await RoundAsync(publishers, messages, filter));
        }

        var offMedian = off.Order().ElementAt(off.Count / 2);
        var onMedian = on.Order().ElementAt(on.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"privacy-overhead publishers={publishers} messages={publishers * messages} rounds={rounds}: CPU per message off {offMedian:0.000} µs, on {onMedian:0.000} µs (median), privacy adds {100 * (onMedian - offMedian) / offMedian:0.#} %; " +
            $"the filter alone {FilterAlone(filter, 5_000_000):0} ns per delivery"));
    }

    /// <summary><c>privacy-kek-rotation [--subjects 100000] [--provider sqlite|postgres]</c>: see <see cref="PrivacyArchiveBench.KekRotationAsync"/>.</summary>
    public static Task KekRotationAsync(string[] args) => PrivacyArchiveBench.KekRotationAsync(args);

    // A policy like a node's: two regions, services with and without rules; the bench's subscriber is a declared service with no rules.
    private static PrivacyDeliveryFilter Filter()
    {
        var options = new PrivacyOptions
        {
            Regions = new() { ["eu"] = new(), ["us"] = new() },
            Services = new() { ["bench"] = new() { Region = "eu", Purposes = new() { ["support"] = "contract" } }, ["analytics"] = new() { Region = "eu", Purposes = new() { ["analytics"] = "consent" } } },
            Topics = new() { ["location"] = new() { Path = "telemetry/location", Class = Rampart.Privacy.Classification.DataClass.Sensitive } },
            Minimise = [new() { Topic = "location", Service = "analytics", Drop = ["owner"] }],
        };
        var directory = new SubjectDirectory();
        for (var i = 0; i < 10_000; i++)
        {
            directory.Set(new SubjectRouting($"ps-{i}", "eu", [$"home-{i}"], new HashSet<string>()));
        }

        var tap = new GatewayEventTap(new NoEvents(), new FleetEventStream(), TimeProvider.System);
        return new PrivacyDeliveryFilter(new PrivacyPolicy(options, new Pseudonyms(RandomNumberGenerator.GetBytes(32))), directory, new RefusalEvents(tap, TimeProvider.System, TimeSpan.FromSeconds(10)));
    }

    private static double FilterAlone(PrivacyDeliveryFilter filter, int calls)
    {
        var subscriber = new DetectionOverheadBench.PrincipalPolicy("service:bench");
        var messages = Enumerable.Range(0, 1000).Select(i => new MqttMessage($"devices/d{i}/telemetry/temp", new byte[64], MqttQualityOfService.AtMostOnce, false,
            MqttProperties.Empty, $"d{i}", null, $"device:d{i}")).ToArray();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < calls; i++)
        {
            _ = filter.Decide(messages[i % messages.Length], subscriber);
        }

        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / calls;
    }

    private static async Task<double> RoundAsync(int publishers, int messages, IDeliveryFilter? filter)
    {
        using var broker = new MqttBroker(new BrokerOptions { MaximumOutboundQueue = 100_000 }, TimeProvider.System);
        broker.UseDeliveryFilter(filter);
        using var stop = new CancellationTokenSource();
        var subscriber = await BrokerFanIn.SubscribeAsync(broker, new DetectionOverheadBench.PrincipalPolicy("service:bench"), (long)publishers * messages, stop.Token);
        return await subscriber.CpuPerMessageAsync(broker, publishers, messages, stop);
    }

    // A 1 KiB telemetry document: a location, an owner, a serial and readings.
    private static byte[] OneKibPayload()
    {
        var builder = new StringBuilder("""{"owner":"Erika Mustermann","lat":52.520008,"lon":13.404954,"serial":"SN-778899","ts":1764590521,"readings":[""");
        for (var i = 0; builder.Length < 1000; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}{{\"t\":{20 + (i % 7)}.{i % 10},\"h\":{40 + (i % 13)}}}");
        }

        builder.Append("]}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private sealed class NoEvents : ISecurityEventStore
    {
        public Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AppendManyAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<StoredSecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredSecurityEvent>>([]);

        public Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredSecurityEvent>>([]);

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
