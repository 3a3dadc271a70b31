using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;

namespace Rampart.Server.Tests.Cluster;

/// <summary>Issue 15 "MQTT across nodes" and "Live control across nodes": three nodes, one PostgreSQL, one NATS, real mTLS.</summary>
public sealed class ClusterMessagingTests : IAsyncLifetime
{
    private ClusterOfThree _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterOfThree.StartAsync();
        await _cluster.AllJoinedAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_device_on_node_A_publishes_and_a_service_on_node_B_receives_it()
    {
        var device = await _cluster.First.EnrollDeviceAsync("meter-1");
        var service = await _cluster.First.ServiceAsync("ingest");
        await using var backend = await _cluster.ConnectAsync(1, service, "ingest-1");
        await backend.SubscribeAsync(1, new TopicSubscription("devices/+/state", MqttQualityOfService.AtMostOnce));
        await using var meter = await _cluster.ConnectAsync(0, device, device.Id);

        var received = await ClusterOfThree.PublishUntilReceivedAsync(meter, backend, "devices/meter-1/state", "online");
        Assert.Equal("online", System.Text.Encoding.UTF8.GetString(received.Payload.Span));
    }

    [Fact]
    public async Task A_command_from_a_service_on_node_C_reaches_the_device_on_node_A_and_no_other_device()
    {
        var device = await _cluster.First.EnrollDeviceAsync("pump-1");
        var other = await _cluster.First.EnrollDeviceAsync("pump-2");
        var service = await _cluster.First.ServiceAsync("ingest");
        await using var pump = await _cluster.ConnectAsync(0, device, device.Id);
        await pump.SubscribeAsync(1, new TopicSubscription("devices/pump-1/commands/#", MqttQualityOfService.AtMostOnce));

        // pump-2 may not subscribe to pump-1's commands: its own node's policy refuses it there.
        await using var intruder = await _cluster.ConnectAsync(1, other, other.Id);
        var refused = await intruder.SubscribeAsync(1, new TopicSubscription("devices/pump-1/commands/#", MqttQualityOfService.AtMostOnce));
        Assert.Equal(MqttReasonCode.NotAuthorized, Assert.Single(refused.ReasonCodes));
        await using var backend = await _cluster.ConnectAsync(2, service, "ingest-c");

        await ClusterOfThree.PublishUntilReceivedAsync(backend, pump, "devices/pump-1/commands/start", "go");
        Assert.True(await intruder.NothingWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task A_shared_subscription_with_members_on_two_nodes_gets_each_telemetry_message_once()
    {
        var device = await _cluster.First.EnrollDeviceAsync("sensor-1");
        var service = await _cluster.First.ServiceAsync("ingest");
        const string Shared = "$share/ingest/devices/+/telemetry/#";
        await using var workerA = await _cluster.ConnectAsync(0, service, "ingest-a");
        await workerA.SubscribeAsync(1, new TopicSubscription(Shared, MqttQualityOfService.AtMostOnce));
        await using var workerB = await _cluster.ConnectAsync(1, service, "ingest-b");
        await workerB.SubscribeAsync(1, new TopicSubscription(Shared, MqttQualityOfService.AtMostOnce));
        await using var sensor = await _cluster.ConnectAsync(2, device, device.Id);

        // Both members' interest is on NATS once a message reaches each of them.
        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow + ClusterOfThree.Patience;
        var sent = 0;
        var reachedA = false;
        var reachedB = false;
        while (!(reachedA && reachedB) && DateTime.UtcNow < deadline)
        {
            await sensor.SendAsync(new PublishPacket { Topic = "devices/sensor-1/telemetry/warmup", Payload = System.Text.Encoding.UTF8.GetBytes("w" + sent++) });
            reachedA |= await ClusterOfThree.TryReceiveAsync(workerA, TimeSpan.FromMilliseconds(100)) is PublishPacket;
            reachedB |= await ClusterOfThree.TryReceiveAsync(workerB, TimeSpan.FromMilliseconds(100)) is PublishPacket;
        }

        Assert.True(reachedA && reachedB, "the group's members on A and B never both got a message");
        while (await ClusterOfThree.TryReceiveAsync(workerA, TimeSpan.FromMilliseconds(300)) is not null || await ClusterOfThree.TryReceiveAsync(workerB, TimeSpan.FromMilliseconds(300)) is not null)
        {
            // Drain the warm-up.
        }

        const int Count = 30;
        for (var i = 0; i < Count; i++)
        {
            await sensor.SendAsync(new PublishPacket { Topic = "devices/sensor-1/telemetry/t", Payload = System.Text.Encoding.UTF8.GetBytes("m" + i) });
        }

        var copies = 0;
        deadline = DateTime.UtcNow + ClusterOfThree.Patience;
        while (seen.Count < Count && DateTime.UtcNow < deadline)
        {
            foreach (var worker in new[] { workerA, workerB })
            {
                if (await ClusterOfThree.TryReceiveAsync(worker, TimeSpan.FromMilliseconds(100)) is PublishPacket publish)
                {
                    copies++;
                    seen.Add(System.Text.Encoding.UTF8.GetString(publish.Payload.Span));
                }
            }
        }

        Assert.Equal(Count, seen.Count);
        Assert.True(await workerA.NothingWithinAsync(TimeSpan.FromMilliseconds(300)) && await workerB.NothingWithinAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(Count, copies);
    }

    [Fact]
    public async Task Revoking_a_certificate_on_node_B_disconnects_its_session_on_node_A()
    {
        var device = await _cluster.First.EnrollDeviceAsync("valve-1");
        await using var valve = await _cluster.ConnectAsync(0, device, device.Id);

        await _cluster.Get<RevocationService>(1).RevokeSerialAsync(device.Serial, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);

        var closing = await valve.WaitClosedAsync(ClusterOfThree.Patience);
        var disconnect = Assert.IsType<DisconnectPacket>(Assert.Single(closing));
        Assert.Equal(MqttReasonCode.NotAuthorized, disconnect.ReasonCode);
        Assert.Contains("revoked", disconnect.Properties.ReasonString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retiring_a_device_on_node_C_ends_its_session_on_node_A()
    {
        var device = await _cluster.First.EnrollDeviceAsync("old-1");
        await using var old = await _cluster.ConnectAsync(0, device, device.Id);

        await _cluster.Get<InventoryService>(2).RetireAsync(device.Id, "test", CancellationToken.None);

        // Retirement revokes the device's certificates first (NotAuthorized), then retires it (AdministrativeAction): either ends it, as on one node.
        var closing = await old.WaitClosedAsync(ClusterOfThree.Patience);
        Assert.Contains(Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode, new[] { MqttReasonCode.AdministrativeAction, MqttReasonCode.NotAuthorized });
        await Eventually.HoldsAsync(() => Task.FromResult(!_cluster.Get<Rampart.Server.Gateway.MqttGateway>(0).Broker.IsConnected(device.Id)), "node A no longer holds old-1", ClusterOfThree.Patience);
    }

    [Fact]
    public async Task Quarantining_a_device_on_node_B_narrows_its_live_session_on_node_A_at_once()
    {
        var device = await _cluster.First.EnrollDeviceAsync("cam-1");
        await using var cam = await _cluster.ConnectAsync(0, device, device.Id);
        await cam.SendAsync(new PublishPacket { Topic = "devices/cam-1/telemetry/t", Payload = "1"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, PacketId = 1 });
        Assert.Equal(MqttReasonCode.Success, (await cam.ExpectAsync<PublishResponsePacket>()).ReasonCode);

        await _cluster.Get<InventoryService>(1).QuarantineAsync(device.Id, "suspicious traffic", "test", CancellationToken.None);

        await _cluster.First.EventAsync("gateway.permissions-changed", e => e.DeviceId == device.Id && e.Details["template"] == "quarantine");
        await cam.SendAsync(new PublishPacket { Topic = "devices/cam-1/telemetry/t", Payload = "2"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, PacketId = 2 });
        Assert.Equal(MqttReasonCode.NotAuthorized, (await cam.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        Assert.False(cam.Closed);
    }

    [Fact]
    public async Task A_device_reconnecting_through_node_B_has_its_session_on_node_A_closed_as_taken_over()
    {
        var device = await _cluster.First.EnrollDeviceAsync("tracker-1");
        await using var before = await _cluster.ConnectAsync(0, device, device.Id);
        await using var after = await _cluster.ConnectAsync(1, device, device.Id);

        var closing = await before.WaitClosedAsync(ClusterOfThree.Patience);
        Assert.Equal(MqttReasonCode.SessionTakenOver, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
        Assert.False(after.Closed);
        Assert.True(_cluster.Get<Rampart.Server.Gateway.MqttGateway>(1).Broker.IsConnected(device.Id));
        Assert.False(_cluster.Get<Rampart.Server.Gateway.MqttGateway>(0).Broker.IsConnected(device.Id));
    }
}
