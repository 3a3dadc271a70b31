using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Connection;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing.Servers;

namespace Rampart.Bench;

/// <summary>
/// <c>cluster-failover [--devices 150] [--rate 5] [--seconds 20] [--kill-at 6]</c>: kill -9 of a node
/// under load (issue 15). Node A runs in this process (enrollment, and the backend service that counts
/// what arrives, subscribed at QoS 1 directly on A); nodes B and C are <c>rampart serve</c> child
/// processes on copies of A's data directory, all on one PostgreSQL and one nats-server with JetStream;
/// HAProxy in TCP mode balances the devices over B and C. Each device (the SDK, with its jittered
/// backoff) publishes QoS 1 telemetry numbered per device and counts the PUBACKs it got. At
/// <c>--kill-at</c> seconds node C gets SIGKILL. Reported: how long until every device was connected
/// again, how many acknowledged messages never reached the service (should be none), and whether
/// <c>rampart audit verify</c> finds the cluster's chain intact afterwards.
/// </summary>
internal static class ClusterFailoverBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var devices = arguments.Int("devices", 150);
        var rate = arguments.Int("rate", 5);
        var seconds = arguments.Int("seconds", 20);
        var killAt = arguments.Int("kill-at", 6);

        var database = await PostgresServer.NewDatabaseAsync();
        using var nats = await NatsServer.StartAsync(jetStream: true);
        var prefix = "failover" + Guid.NewGuid().ToString("N")[..8];
        var dataA = BenchNode.NewDataDirectory("failover-a");
        var dataB = BenchNode.NewDataDirectory("failover-b");
        var dataC = BenchNode.NewDataDirectory("failover-c");
        var settingsA = BenchNode.ClusterSettings(database, nats.Url.ToString(), prefix, "a");
        settingsA["Rampart:Gateway:Services:backend:ClientIds"] = "backend-*";
        settingsA["Rampart:Gateway:Services:backend:Subscribe:0"] = "devices/+/telemetry/#";
        await using var nodeA = await BenchNode.StartAsync(dataA, settingsA);
        await BenchNode.CopyDataDirectoryAsync(dataA, dataB);
        await BenchNode.CopyDataDirectoryAsync(dataA, dataC);
        using var nodeB = await NodeProcess.StartAsync(dataB, "--config", WriteConfig(dataB, database, nats.Url, prefix, "b"));
        using var nodeC = await NodeProcess.StartAsync(dataC, "--config", WriteConfig(dataC, database, nats.Url, prefix, "c"));
        using var balancer = await HaproxyServer.StartAsync([MqttAndHttps(nodeB), MqttAndHttps(nodeC)]);
        using var root = X509CertificateLoader.LoadCertificate(nodeA.Services.GetRequiredService<Rampart.Pki.Authority.CertificateAuthority>().Root.RawData);

        // The service: QoS 1 on node A, acknowledging every message it counts.
        var arrived = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        using var serviceIdentity = await BenchIdentities.IssueServiceAsync(nodeA.Services, "backend");
        await using var service = await BenchMqttClient.ConnectAsync("127.0.0.1", nodeA.MqttEndPoint.Port, serviceIdentity, root, "backend-failover", MqttProtocolVersion.V500);
        await MqttLoadBench.SubscribeAsync(service, MqttQualityOfService.AtLeastOnce);
        // Reads until the service's connection closes at the end of the run.
        _ = Task.Run(() => service.ReadAsync(packet =>
        {
            if (packet is PublishPacket publish)
            {
                arrived[Encoding.UTF8.GetString(publish.Payload.Span)] = true;
                if (publish.QoS == MqttQualityOfService.AtLeastOnce)
                {
                    service.Queue(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
                }
            }

            return true;
        }, flushAfterBatch: true));

        var identities = new List<X509Certificate2>();
        var clients = new List<DeviceMqttClient>();
        for (var i = 0; i < devices; i++)
        {
            var id = $"failover-{i:D4}";
            var identity = (await BenchIdentities.EnrollDeviceAsync(nodeA.Services, id)).Identity;
            identities.Add(identity);
            clients.Add(new DeviceMqttClient(new DeviceConnectionOptions
            {
                DeviceId = id, Host = "127.0.0.1", Port = balancer.Mqtt.Port, TrustedRoot = root, Certificate = () => identity,
                InitialReconnectDelay = TimeSpan.FromMilliseconds(200), MaximumReconnectDelay = TimeSpan.FromSeconds(5),
            }));
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 120));
        await Task.WhenAll(clients.Select(client => client.StartAsync(stop.Token)));
        Console.WriteLine($"cluster-failover: {devices} devices connected through HAProxy to nodes B and C; publishing QoS 1 at {rate}/s each for {seconds} s");

        // Every device publishes its numbered telemetry; what got a PUBACK (Success) is acknowledged.
        var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        using var publishing = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var publishers = clients.Select(client => Task.Run(async () =>
        {
            for (var sequence = 0; !publishing.IsCancellationRequested; sequence++)
            {
                var payload = $"{client.DeviceId}:{sequence}";
                try
                {
                    if (await client.PublishAsync($"devices/{client.DeviceId}/telemetry/failover", Encoding.UTF8.GetBytes(payload), cancellationToken: stop.Token) == MqttReasonCode.Success)
                    {
                        acknowledged[payload] = true;
                    }
                }
                catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
                {
                    // Not acknowledged: not counted.
                }

                await Task.Delay(1000 / rate, CancellationToken.None);
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(killAt));
        var connectionsBefore = clients.Select(client => client.Connections).ToArray();
        var killed = Stopwatch.StartNew();
        await nodeC.KillHardAsync();

        // Back: every device connected again, after each one's link to C broke.
        TimeSpan? allBack = null;
        var sawLoss = false;
        while (killed.Elapsed < TimeSpan.FromSeconds(60))
        {
            var connected = clients.Count(client => client.IsConnected);
            sawLoss |= connected < devices;
            if (sawLoss && connected == devices)
            {
                allBack = killed.Elapsed;
                break;
            }

            await Task.Delay(20);
        }

        await Task.WhenAll(publishers);
        var drained = Stopwatch.StartNew();
        while (acknowledged.Keys.Any(key => !arrived.ContainsKey(key)) && drained.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        var lost = acknowledged.Keys.Count(key => !arrived.ContainsKey(key));
        var moved = clients.Where((client, i) => client.Connections > connectionsBefore[i]).Count();

        // Against PostgreSQL, with node C's settings (its data directory is free since it died).
        var (verifyCode, verifyOutput) = await Rampart.Testing.RunningProcess.RunAsync("dotnet", [NodeProcess.Dll, "audit", "verify", "--data", dataC], TimeSpan.FromSeconds(120),
            environment: new Dictionary<string, string> { ["RAMPART_CONFIG"] = dataC + ".json" });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster-failover: node C killed (-9); {moved} of {devices} devices had to reconnect; all {devices} connected again {(allBack is { } back ? $"{back.TotalSeconds:F2} s" : "not within 60 s")} after the kill " +
            $"(SDK backoff 0.2 s doubling to 5 s, with jitter); {acknowledged.Count} QoS 1 messages acknowledged, {lost} of them never reached the service; " +
            $"rampart audit verify: exit {verifyCode}, {verifyOutput.Trim().Split('\n').LastOrDefault()}"));

        await publishing.CancelAsync();
        await Parallel.ForEachAsync(clients, async (client, _) => await client.DisposeAsync());
        identities.ForEach(identity => identity.Dispose());
        await nodeB.StopAsync();
        foreach (var directory in new[] { dataA, dataB, dataC })
        {
            Directory.Delete(directory, recursive: true);
            File.Delete(directory + ".json");
        }
    }

    private static (IPEndPoint Mqtt, IPEndPoint Https) MqttAndHttps(NodeProcess node) =>
        (node.MqttEndPoint, new IPEndPoint(IPAddress.Loopback, node.HttpsUri.Port));

    // A child node's settings, owner-only as serve --config requires (docs/scale-out.md).
    private static string WriteConfig(string data, string database, Uri nats, string prefix, string nodeId)
    {
        var path = data + ".json";
        var settings = new
        {
            Rampart = new
            {
                Storage = new { Provider = "postgres", ConnectionString = database },
                Cluster = new { Nats = nats.ToString(), Prefix = prefix, NodeId = nodeId, ProxyProtocolFrom = "127.0.0.1" },
                Gateway = new { Services = new { backend = new { ClientIds = "backend-*", Subscribe = new[] { "devices/+/telemetry/#" } } } },
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(settings));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
