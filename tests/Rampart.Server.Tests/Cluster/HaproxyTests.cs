using System.Net;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Cluster;

/// <summary>Issue 15: HAProxy in TCP mode in front of the cluster, mutual TLS end to end, PROXY protocol v2 to the nodes.</summary>
public sealed class HaproxyTests : IAsyncLifetime
{
    private static readonly IPAddress DeviceAddress = IPAddress.Parse("127.0.0.5");
    private BalancedCluster _balanced = null!;

    public async Task InitializeAsync() => _balanced = await BalancedCluster.StartAsync();

    public async Task DisposeAsync() => await _balanced.DisposeAsync();

    [Fact]
    public async Task A_device_connecting_through_haproxy_is_served_over_mutual_tls_and_the_node_sees_its_own_address()
    {
        var device = await _balanced.Cluster.First.EnrollDeviceAsync("gauge-1");
        var (client, _) = await _balanced.ConnectAsync(device, device.Id, DeviceAddress);
        await using var gauge = client;

        // The identity came from the certificate the device presented through the balancer, and the
        // source is the device's address from the PROXY header, not HAProxy's 127.0.0.1.
        var policy = _balanced.Cluster.Get<MqttGateway>(_balanced.Holder(device.Id)).Clients[device.Id];
        Assert.Equal(device.Id, policy.Identity.Id);
        Assert.StartsWith("127.0.0.5:", policy.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_from_the_trusted_balancer_address_without_a_proxy_header_is_refused_and_one_from_elsewhere_is_served()
    {
        var device = await _balanced.Cluster.First.EnrollDeviceAsync("gauge-2");
        var nodeB = _balanced.Cluster.Nodes[1].Node.MqttEndPoint;

        // From 127.0.0.1 (the balancer's address) a TLS ClientHello is not a PROXY header: closed.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var forged = await Rampart.Attack.Probes.MqttProbeClient.ConnectTlsAsync(nodeB, device.Certificate, _balanced.Cluster.First.Root, localAddress: IPAddress.Loopback);
            await forged.ConnectAsync(device.Id);
        });

        // From an address that is not a balancer, nothing changes: the node is reached directly.
        await using var direct = await Rampart.Attack.Probes.MqttProbeClient.ConnectTlsAsync(nodeB, device.Certificate, _balanced.Cluster.First.Root, localAddress: IPAddress.Parse("127.0.0.6"));
        Assert.Equal(MqttReasonCode.Success, (await direct.ConnectAsync(device.Id)).ReasonCode);
        Assert.StartsWith("127.0.0.6:", _balanced.Cluster.Get<MqttGateway>(1).Clients[device.Id].Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_whose_node_stops_reconnects_through_haproxy_to_the_other_node_and_keeps_its_permissions()
    {
        var cluster = _balanced.Cluster;
        var device = await cluster.First.EnrollDeviceAsync("valve-1");
        await cluster.First.EnrollDeviceAsync("valve-2");
        var service = await cluster.First.ServiceAsync("ingest");
        await using var backend = await cluster.ConnectAsync(0, service, "ingest-1");

        var (first, _) = await _balanced.ConnectAsync(device, device.Id, DeviceAddress);
        await using (first)
        {
            await first.SubscribeAsync(1, new TopicSubscription("devices/valve-1/commands/#", MqttQualityOfService.AtMostOnce));
            await ClusterOfThree.PublishUntilReceivedAsync(backend, first, "devices/valve-1/commands/open", "before");

            // 1. The node holding the device stops; its connection ends.
            var holder = _balanced.Holder(device.Id);
            await _balanced.StopAsync(holder);
            await first.WaitClosedAsync(ClusterOfThree.Patience);

            // 2. The device reconnects through the balancer and lands on the other node.
            var (second, _) = await _balanced.ConnectAsync(device, device.Id, DeviceAddress);
            await using (second)
            {
                Assert.NotEqual(holder, _balanced.Holder(device.Id));

                // 3. Same identity, same permissions there: its own commands, not another device's.
                var subAck = await second.SubscribeAsync(2,
                    new TopicSubscription("devices/valve-1/commands/#", MqttQualityOfService.AtMostOnce),
                    new TopicSubscription("devices/valve-2/commands/#", MqttQualityOfService.AtMostOnce));
                Assert.Equal([MqttReasonCode.Success, MqttReasonCode.NotAuthorized], subAck.ReasonCodes);
                var received = await ClusterOfThree.PublishUntilReceivedAsync(backend, second, "devices/valve-1/commands/open", "after");
                Assert.Equal("after", System.Text.Encoding.UTF8.GetString(received.Payload.Span));
            }
        }
    }

    [Fact]
    public async Task A_device_whose_node_stops_resumes_its_session_on_the_other_node_with_its_subscription_and_the_qos1_messages_queued_for_it()
    {
        var cluster = _balanced.Cluster;
        var device = await cluster.First.EnrollDeviceAsync("valve-9");
        var service = await cluster.First.ServiceAsync("ingest");
        await using var backend = await cluster.ConnectAsync(0, service, "ingest-9");
        const string Topic = "devices/valve-9/commands/set";

        // 1. A persistent session (MQTT 5: clean start 0, session expiry 1 h) with a QoS 1 subscription, on B or C.
        var (first, _) = await _balanced.ConnectAsync(device, device.Id, DeviceAddress, cleanStart: false);
        await first.SubscribeAsync(1, new TopicSubscription("devices/valve-9/commands/#", MqttQualityOfService.AtLeastOnce));
        await ClusterOfThree.PublishUntilReceivedAsync(backend, first, Topic, "warm-up");
        var holder = _balanced.Holder(device.Id);
        await first.SendAsync(new DisconnectPacket(MqttReasonCode.Success));
        await first.DisposeAsync();

        // 2. Two QoS 1 commands from node A while the device is away: they cross to its node and wait in its session, then in the store.
        for (ushort id = 1; id <= 2; id++)
        {
            await backend.SendAsync(new PublishPacket { Topic = Topic, QoS = MqttQualityOfService.AtLeastOnce, PacketId = id, Payload = System.Text.Encoding.UTF8.GetBytes("queued-" + id) });
            Assert.IsType<PublishResponsePacket>(await backend.ReceiveAsync(ClusterOfThree.Patience));
        }

        await Eventually.HoldsAsync(async () => await StoredSessions.MessagesInPostgresAsync(cluster.Database, device.Id) is { Messages: 2 },
            "the two queued commands reached the cluster's store", ClusterOfThree.Patience);

        // 3. Its node stops; the device comes back through HAProxy to the other node, which resumes the session from PostgreSQL.
        await _balanced.StopAsync(holder);
        var (second, present) = await _balanced.ConnectAsync(device, device.Id, DeviceAddress, cleanStart: false);
        await using (second)
        {
            Assert.True(present, "CONNACK session present: the session was resumed on the other node");
            Assert.NotEqual(holder, _balanced.Holder(device.Id));
            var delivered = new List<string>();
            while (delivered.Count < 2)
            {
                var publish = Assert.IsType<PublishPacket>(await second.ReceiveAsync(ClusterOfThree.Patience));
                delivered.Add(System.Text.Encoding.UTF8.GetString(publish.Payload.Span));
                await second.SendAsync(new PublishResponsePacket(Rampart.Mqtt.Protocol.MqttPacketType.PubAck, publish.PacketId));
            }

            Assert.Equal(["queued-1", "queued-2"], delivered);

            // 4. Its subscription came with it: a new command reaches it without a SUBSCRIBE.
            var next = await ClusterOfThree.PublishUntilReceivedAsync(backend, second, Topic, "after-move");
            Assert.Equal("after-move", System.Text.Encoding.UTF8.GetString(next.Payload.Span));
        }
    }
}
