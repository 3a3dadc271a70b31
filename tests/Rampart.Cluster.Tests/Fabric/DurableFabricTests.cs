using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Rampart.Cluster.Fabric;
using Rampart.Mqtt.Broker.Persistence;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Tests.Broker;
using Rampart.Testing.Servers;

namespace Rampart.Cluster.Tests.Fabric;

/// <summary>A nats-server with JetStream (<c>-js</c>) for this class: the run's shared server is core NATS only.</summary>
public sealed class JetStreamServer : IAsyncLifetime
{
    public NatsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await NatsServer.StartAsync(jetStream: true);

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Durable QoS 1 across nodes (issue 15): two brokers joined by the fabric over a real nats-server with
/// JetStream. A QoS 1 PUBACK means JetStream stored the message; a session read back from the store on
/// another node gets what was published for it while no node held it.
/// </summary>
public sealed class DurableFabricTests(JetStreamServer jetStream) : IClassFixture<JetStreamServer>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _prefix = "d" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task A_session_resumed_on_another_node_gets_the_qos1_messages_acknowledged_while_no_node_held_it_in_order_and_only_its_own()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var writtenAt = DateTimeOffset.UtcNow;

        // Node B's store holds the device's session as written just now: one subscription, nothing queued.
        b.Harness.Broker.UseStoredSessions((clientId, owner, _) => ValueTask.FromResult<SessionState?>(clientId == "d1"
            ? new SessionState("d1", owner, 3600, [new PersistedSubscription("devices/d1/commands/#", MqttQualityOfService.AtLeastOnce, false, false, 0)], [], []) { WrittenAt = writtenAt }
            : null));

        // 1. Nobody holds the session: a service on A sends three commands at QoS 1 (and one for another device).
        //    Each PUBACK comes only after JetStream stored the message.
        var service = await a.Harness.ConnectAsync("service-1");
        ushort id = 1;
        foreach (var (topic, payload) in new[] { ("devices/d1/commands/c", "one"), ("devices/d2/commands/c", "other"), ("devices/d1/commands/c", "two"), ("devices/d1/commands/x/y", "three") })
        {
            var stored = a.Fabric.Stored;
            await service.SendAsync(new PublishPacket { Topic = topic, QoS = MqttQualityOfService.AtLeastOnce, PacketId = id, Payload = Encoding.UTF8.GetBytes(payload) });
            var ack = Assert.IsType<PublishResponsePacket>(await service.ReceiveAsync(Patience));
            Assert.Equal((MqttPacketType.PubAck, id, MqttReasonCode.Success), (ack.Type, ack.PacketId, ack.ReasonCode));
            Assert.Equal(stored + 1, a.Fabric.Stored);
            id++;
        }

        // 2. The device resumes its session on B: session present, and the three commands, in order, replayed from the stream.
        var device = b.Harness.Open();
        var connAck = await device.ConnectAsync("d1", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 });
        Assert.True(connAck.SessionPresent);
        var received = new List<string>();
        while (received.Count < 3)
        {
            var publish = Assert.IsType<PublishPacket>(await device.ReceiveAsync(Patience));
            Assert.Equal(MqttQualityOfService.AtLeastOnce, publish.QoS);
            received.Add(publish.Topic + "=" + Encoding.UTF8.GetString(publish.Payload.Span));
            await device.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, publish.PacketId));
        }

        Assert.Equal(["devices/d1/commands/c=one", "devices/d1/commands/c=two", "devices/d1/commands/x/y=three"], received);
        Assert.True(await device.NothingWithinAsync(TimeSpan.FromMilliseconds(500)), "a message beyond the three, or one twice");
        Assert.Equal(3, b.Fabric.Replayed);
    }

    [Fact]
    public async Task A_qos1_publish_that_JetStream_cannot_store_is_not_acknowledged_and_its_connection_ends_so_the_client_sends_it_again()
    {
        var a = await NodeAsync("a");
        var service = await a.Harness.ConnectAsync("service-1");
        await service.SendAsync(new PublishPacket { Topic = "devices/d1/commands/c", QoS = MqttQualityOfService.AtLeastOnce, PacketId = 1, Payload = "kept"u8.ToArray() });
        Assert.IsType<PublishResponsePacket>(await service.ReceiveAsync(Patience));

        // The stream goes away under the node (an operator's mistake, a JetStream outage): nothing can store the next one.
        await using (var nats = new NatsConnection(new NatsOpts { Url = jetStream.Server.Url.ToString() }))
        {
            await new NatsJSContext(nats).DeleteStreamAsync(_prefix + "-mqtt-qos");
        }

        await service.SendAsync(new PublishPacket { Topic = "devices/d1/commands/c", QoS = MqttQualityOfService.AtLeastOnce, PacketId = 2, Payload = "lost?"u8.ToArray() });
        var disconnect = Assert.IsType<DisconnectPacket>(await service.ReceiveAsync(Patience));
        Assert.Equal(MqttReasonCode.UnspecifiedError, disconnect.ReasonCode);
    }

    private async Task<(BrokerHarness Harness, NatsBrokerFabric Fabric)> NodeAsync(string id)
    {
        var harness = new BrokerHarness();
        _owned.Add(harness);
        var nats = new NatsConnection(new NatsOpts { Url = jetStream.Server.Url.ToString() });
        _owned.Add(nats);
        await nats.ConnectAsync();
        var fabric = new NatsBrokerFabric(nats, harness.Broker, new ClusterFabricOptions { NodeId = id, Prefix = _prefix, Durable = new DurableStreamOptions() }, NullLogger.Instance);
        _owned.Add(fabric);
        await fabric.StartAsync(CancellationToken.None);
        Assert.True(fabric.Durable);
        return (harness, fabric);
    }
}
