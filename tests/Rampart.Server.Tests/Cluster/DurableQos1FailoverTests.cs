using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Cluster;
using Rampart.Testing;
using Rampart.Testing.Crash;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Issue 15, durable QoS 1 across nodes: three nodes on one PostgreSQL and a nats-server with JetStream;
/// node C runs as a <c>rampart serve</c> child process so it can be killed for real (SIGKILL). A device's
/// persistent session on C has QoS 1 commands in flight (sent, not acknowledged by the device) and queued
/// when C dies; more are published while no node holds the session. Every command whose publisher got a
/// PUBACK reaches the device when it resumes its session on node B.
/// </summary>
public sealed partial class DurableQos1FailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task No_acknowledged_qos1_message_is_lost_when_the_node_holding_the_session_is_killed_with_messages_in_flight()
    {
        using var nats = await NatsServer.StartAsync(jetStream: true);
        await using var cluster = await ClusterOfThree.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Cluster:Nats"] = nats.Url.ToString(),
            ["Rampart:Cluster:JetStream"] = "required",
        });
        var device = await cluster.First.EnrollDeviceAsync("valve-1");
        var service = await cluster.First.ServiceAsync("ingest");
        Assert.True(cluster.Get<ClusterNode>(0).Fabric!.Durable);

        // 1. Node C moves into a child process on its own data directory and settings.
        var (data, settings) = cluster.StartOf(2);
        await cluster.StopAsync(2);
        var port = FreePort();
        using var nodeC = await ServeAsync(data, settings, port);

        // 2. The device's persistent session (MQTT 5, expiry 1 h) on C, subscribed at QoS 1, written to the cluster's store.
        const string Topic = "devices/valve-1/commands/open";
        var onC = await ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), device, cluster, cleanStart: true);
        await onC.SubscribeAsync(1, new TopicSubscription("devices/valve-1/commands/#", MqttQualityOfService.AtLeastOnce));

        // Written behind (Rampart:Sessions:FlushInterval, 1 s; docs/scale-out.md, "What a kill -9 loses"): a write
        // between the CONNECT and the SUBSCRIBE holds no subscription yet, so the test waits for one that does.
        await Eventually.HoldsAsync(async () => (await StoredSessions.FiltersInPostgresAsync(cluster.Database, "valve-1")).Contains("devices/valve-1/commands/#"),
            "node C wrote the subscribed session to PostgreSQL", Patience);
        await using var backend = await cluster.ConnectAsync(0, service, "ingest-1");

        // Interest crosses asynchronously: QoS 0 until one reaches the device.
        await ClusterOfThree.PublishUntilReceivedAsync(backend, onC, Topic, "warm-up");

        // 3. Commands at QoS 1 from node A; the device reads them but acknowledges none (in flight), then C is killed.
        var acknowledged = new List<string>();
        ushort id = 1;
        for (var n = 0; n < 20; n++, id++)
        {
            await PublishAcknowledgedAsync(backend, id, Topic, "before-" + n);
            acknowledged.Add("before-" + n);
        }

        await Eventually.HoldsAsync(async () => await ClusterOfThree.TryReceiveAsync(onC, TimeSpan.FromMilliseconds(200)) is PublishPacket { QoS: MqttQualityOfService.AtLeastOnce },
            "a command is in flight to the device", Patience);
        nodeC.KillHard();
        await nodeC.WaitForExitAsync(Patience);
        await onC.DisposeAsync();

        // 4. While no node holds the session, more commands: acknowledged, because JetStream stored them.
        for (var n = 0; n < 10; n++, id++)
        {
            await PublishAcknowledgedAsync(backend, id, Topic, "while-down-" + n);
            acknowledged.Add("while-down-" + n);
        }

        // 5. The device resumes its session on node B: every acknowledged command arrives (QoS 1: at least once).
        await using var onB = await ConnectAsync(cluster.Nodes[1].Node.MqttEndPoint, device, cluster, cleanStart: false);
        var received = new HashSet<string>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + Patience;
        while (!acknowledged.All(received.Contains) && DateTime.UtcNow < deadline)
        {
            if (await ClusterOfThree.TryReceiveAsync(onB, TimeSpan.FromMilliseconds(500)) is PublishPacket publish && publish.Topic == Topic)
            {
                received.Add(Encoding.UTF8.GetString(publish.Payload.Span));
                if (publish.QoS == MqttQualityOfService.AtLeastOnce)
                {
                    await onB.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
                }
            }
        }

        var missing = acknowledged.Where(payload => !received.Contains(payload)).ToArray();
        var fabricB = cluster.Get<ClusterNode>(1).Fabric!;
        Assert.True(missing.Length == 0, $"acknowledged but never delivered: {string.Join(", ", missing)} (node B replayed {fabricB.Replayed}, node A stored {cluster.Get<ClusterNode>(0).Fabric!.Stored} in JetStream; received {received.Count})");
        // What was published while no node held the session can only have come from the stream (the counter moves once a replay is read to its end).
        await Eventually.HoldsAsync(() => Task.FromResult(cluster.Get<ClusterNode>(1).Fabric!.Replayed >= 10), "node B replayed the commands from JetStream", Patience);
    }

    private static async Task PublishAcknowledgedAsync(MqttProbeClient backend, ushort id, string topic, string payload)
    {
        await backend.SendAsync(new PublishPacket { Topic = topic, QoS = MqttQualityOfService.AtLeastOnce, PacketId = id, Payload = Encoding.UTF8.GetBytes(payload) });
        var ack = Assert.IsType<PublishResponsePacket>(await backend.ReceiveAsync(Patience));
        Assert.Equal((id, MqttReasonCode.Success), (ack.PacketId, ack.ReasonCode));
    }

    private static async Task<MqttProbeClient> ConnectAsync(IPEndPoint endPoint, Rampart.Server.Tests.Gateway.EnrolledIdentity device, ClusterOfThree cluster, bool cleanStart)
    {
        var client = await MqttProbeClient.ConnectTlsAsync(endPoint, device.Certificate, cluster.First.Root);
        var connAck = await client.ConnectAsync(device.Id, cleanStart, properties: new MqttProperties { SessionExpiryInterval = 3600 });
        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        Assert.Equal(!cleanStart, connAck.SessionPresent);
        return client;
    }

    // The node's settings as its environment (Rampart:A:B → RAMPART__A__B; service names stay as spelled, the gateway compares them exactly).
    private static async Task<RunningProcess> ServeAsync(string data, IReadOnlyDictionary<string, string?> settings, int port)
    {
        var environment = settings.Where(setting => setting.Value is not null).ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value!);
        environment["RAMPART__SUPPLYCHAIN__ENFORCEGATE"] = "false";
        environment["RAMPART__SUPPLYCHAIN__ATTESTONCONNECT"] = "false";
        var node = RunningProcess.Start("dotnet", [CrashHarness.Dll, "serve", "--data", data, "--https", "127.0.0.1:0", "--mqtt", $"127.0.0.1:{port}"], environment: environment);
        await node.WaitForOutputAsync(Ready(), Patience);
        return node;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Rampart node ready: https=")]
    private static partial Regex Ready();
}
