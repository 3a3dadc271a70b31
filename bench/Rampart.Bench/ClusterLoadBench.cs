using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Hosting;
using Rampart.Testing.Servers;

namespace Rampart.Bench;

/// <summary>
/// <c>mqtt-load-cluster [--publishers 8] [--messages 50000] [--payload 64] [--qos 0] [--scenarios single,local,cross]</c>: the same
/// fan-in as <c>mqtt-load</c> (N devices publishing to one backend service subscribed to
/// devices/+/telemetry/#) three ways, in this process over real mutual TLS on loopback:
/// <list type="bullet">
/// <item>single — one node on SQLite, the default deployment;</item>
/// <item>cluster-local — node A of a two-node cluster (PostgreSQL + NATS), devices and service both on A;</item>
/// <item>cross-node — devices on node A, the service on node B: every message crosses NATS.</item>
/// </list>
/// It reports the subscriber's rate and CPU per routed message (this process — both nodes and the
/// clients — plus nats-server when it was started here), since the two cores are shared by everything.
/// PostgreSQL and NATS are those of RAMPART_TEST_POSTGRES / RAMPART_TEST_NATS, else started here.
/// </summary>
internal static class ClusterLoadBench
{
    // The subscriber: a backend service that may read every device's telemetry (client ids backend-*); the
    // per-device rate limits (100 msgs/s, 1 MiB/s by default) lifted so the routing is what is measured.
    private static readonly Dictionary<string, string?> Backend = new()
    {
        ["Rampart:Gateway:DeviceMessagesPerSecond"] = "100000000",
        ["Rampart:Gateway:DeviceMessageBurst"] = "100000000",
        ["Rampart:Gateway:DeviceBytesPerSecond"] = "10000000000",
        ["Rampart:Gateway:DeviceByteBurst"] = "10000000000",
        ["Rampart:Gateway:Services:backend:ClientIds"] = "backend-*",
        ["Rampart:Gateway:Services:backend:Subscribe:0"] = "devices/+/telemetry/#",
    };

    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var publishers = arguments.Int("publishers", 8);
        var messages = arguments.Int("messages", 50_000);
        var payload = new byte[arguments.Int("payload", 64)];
        var qos = (MqttQualityOfService)arguments.Int("qos", 0);
        var scenarios = (arguments.String("scenarios") ?? "single,local,cross").Split(',');
        Random.Shared.NextBytes(payload);

        var single = BenchNode.NewDataDirectory("load-single");
        var singleCost = new FanInCost(double.NaN, double.NaN);
        if (scenarios.Contains("single"))
        {
            await using var node = await BenchNode.StartAsync(single, Backend);

            // A first, unreported pass: the JIT and the pools warm up on it, not on the single-node figure.
            await MeasureAsync("warm-up", node, node, publishers, Math.Max(1, messages / 4), payload, qos, null);
            singleCost = await MeasureAsync("single", node, node, publishers, messages, payload, qos, null);
        }

        var database = await PostgresServer.NewDatabaseAsync();
        var nats = await NatsServer.Shared;
        var prefix = "load" + Guid.NewGuid().ToString("N")[..8];
        var dataA = BenchNode.NewDataDirectory("load-a");
        var dataB = BenchNode.NewDataDirectory("load-b");
        FanInCost local, cross;
        await using (var nodeA = await BenchNode.StartAsync(dataA, WithBackend(BenchNode.ClusterSettings(database, nats.Url.ToString(), prefix, "a"))))
        {
            await BenchNode.CopyDataDirectoryAsync(dataA, dataB);
            await using var nodeB = await BenchNode.StartAsync(dataB, WithBackend(BenchNode.ClusterSettings(database, nats.Url.ToString(), prefix, "b")));
            // Past the interest warm-up (every message forwarded until the nodes exchanged their interest).
            var warm = Stopwatch.StartNew();
            while (new[] { nodeA, nodeB }.Any(node => node.Services.GetRequiredService<Rampart.Server.Cluster.ClusterNode>().Fabric?.InterestWarming != false) && warm.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100);
            }

            // Unreported, as for the single node: the cross-node path's code is jitted and tiered up on it.
            await MeasureAsync("warm-up-cross", nodeA, nodeB, publishers, Math.Max(1, messages / 4), payload, qos, nats.ProcessId);
            local = scenarios.Contains("local") ? await MeasureAsync("cluster-local", nodeA, nodeA, publishers, messages, payload, qos, nats.ProcessId) : new(double.NaN, double.NaN);
            cross = scenarios.Contains("cross") ? await MeasureAsync("cross-node", nodeA, nodeB, publishers, messages, payload, qos, nats.ProcessId) : new(double.NaN, double.NaN);
        }

        foreach (var directory in new[] { single, dataA, dataB }.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-load-cluster: cross-node delivered {100 * cross.Rate / singleCost.Rate:F0} % of the single node's rate, at {cross.CpuMicroseconds / singleCost.CpuMicroseconds:F2}x its CPU per message " +
            $"(cluster-local {100 * local.Rate / singleCost.Rate:F0} %, {local.CpuMicroseconds / singleCost.CpuMicroseconds:F2}x)"));
    }

    private static Dictionary<string, string?> WithBackend(Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in Backend)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<FanInCost> MeasureAsync(
        string label, RampartNode devicesNode, RampartNode serviceNode, int publishers, int messages, byte[] payload, MqttQualityOfService qos, int? natsProcess)
    {
        var run = label.Replace("-", "", StringComparison.Ordinal);
        var ids = Enumerable.Range(0, publishers).Select(i => $"{run}-{i:D3}").ToArray();
        using var root = X509CertificateLoader.LoadCertificate(devicesNode.Services.GetRequiredService<Rampart.Pki.Authority.CertificateAuthority>().Root.RawData);
        var identities = new List<X509Certificate2>();
        foreach (var id in ids)
        {
            identities.Add((await BenchIdentities.EnrollDeviceAsync(devicesNode.Services, id)).Identity);
        }

        using var service = await BenchIdentities.IssueServiceAsync(serviceNode.Services, "backend");
        await using var subscriber = await BenchMqttClient.ConnectAsync("127.0.0.1", serviceNode.MqttEndPoint.Port, service, root, $"backend-{run}", MqttProtocolVersion.V500);
        await MqttLoadBench.SubscribeAsync(subscriber, qos);
        var clients = await Task.WhenAll(ids.Select((id, i) =>
            BenchMqttClient.ConnectAsync("127.0.0.1", devicesNode.MqttEndPoint.Port, identities[i], root, id, MqttProtocolVersion.V500)));
        await WarmUpAsync(subscriber, clients[0], ids[0]);

        var sending = devicesNode.Services.GetService<Rampart.Server.Cluster.ClusterNode>()?.Fabric;
        var receivingFabric = serviceNode.Services.GetService<Rampart.Server.Cluster.ClusterNode>()?.Fabric;
        var (forwarded, dropped, unwanted, remote) = (sending?.Forwarded ?? 0, sending?.Dropped ?? 0, sending?.Unwanted ?? 0, receivingFabric?.Received ?? 0);
        long natsDropped = 0;
        if (serviceNode.Services.GetService<Rampart.Server.Cluster.ClusterNode>()?.Connection is NATS.Client.Core.NatsConnection connection)
        {
            connection.MessageDropped += (_, _) =>
            {
                Interlocked.Increment(ref natsDropped);
                return ValueTask.CompletedTask;
            };
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var natsCpu = ProcessCpu(natsProcess);
        var result = await MqttLoadBench.FanInAsync(subscriber, clients, ids, messages, payload, qos, window: 100);
        var natsUsed = ProcessCpu(natsProcess) - natsCpu;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu + natsUsed;
        var perMessage = used.TotalMicroseconds / Math.Max(result.Received, 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-load-cluster {label} qos={(int)qos} payload={payload.Length}B publishers={publishers}: received {result.Received} of {result.Expected} ({100.0 * result.Received / result.Expected:F1}%) " +
            $"at {result.Rate:F0} msgs/s; CPU {perMessage:F1} µs per delivered message (this process{(natsProcess is null ? "" : $" + nats-server, of it nats-server {natsUsed.TotalMicroseconds / Math.Max(result.Received, 1):F1}")}); publishers sent at {result.SendRate:F0} msgs/s"));
        if (sending is not null && receivingFabric is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  fabric: sending node forwarded {sending.Forwarded - forwarded}, dropped {sending.Dropped - dropped}, kept {sending.Unwanted - unwanted} no other node wanted; receiving node took {receivingFabric.Received - remote} from NATS, its NATS client dropped {natsDropped}"));
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        identities.ForEach(identity => identity.Dispose());
        return new FanInCost(result.Rate, perMessage);
    }

    // The service's subscription reaches the devices' node through NATS (interest-based routing): probe until one
    // message arrives, so the measured run starts with the route in place. Probes are not counted (topic …/probe).
    private static async Task WarmUpAsync(BenchMqttClient subscriber, BenchMqttClient publisher, string deviceId)
    {
        var arrived = subscriber.ReceiveAsync();
        var deadline = Stopwatch.StartNew();
        while (!arrived.IsCompleted)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("no probe message reached the subscriber within 30 s");
            }

            publisher.QueuePublish($"devices/{deviceId}/telemetry/probe", "probe"u8, MqttQualityOfService.AtMostOnce, 0);
            await publisher.FlushAsync();
            await Task.WhenAny(arrived, Task.Delay(200));
        }

        await arrived;
    }

    // utime + stime of another process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).
    private static TimeSpan ProcessCpu(int? processId)
    {
        if (processId is not { } id || !File.Exists($"/proc/{id}/stat"))
        {
            return TimeSpan.Zero;
        }

        var stat = File.ReadAllText($"/proc/{id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromSeconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0);
    }

    private readonly record struct FanInCost(double Rate, double CpuMicroseconds);
}
