using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Gateway;

/// <summary>Limits belong to the device identity and survive reconnects; the listener has a global connection cap.</summary>
public sealed class GatewayIdentityLimitTests
{
    private static PublishPacket Telemetry(string deviceId, ushort id) =>
        new() { Topic = $"devices/{deviceId}/telemetry/t", Payload = new byte[] { 1 }, QoS = MqttQualityOfService.AtLeastOnce, PacketId = id };

    [Fact]
    public async Task A_device_reconnecting_in_a_loop_cannot_exceed_its_message_budget()
    {
        // A refill this slow adds nothing during the test however slow the machine: the burst is the whole budget.
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:DeviceMessagesPerSecond"] = "0.0001",
            ["Rampart:Gateway:DeviceMessageBurst"] = "5",
            ["Rampart:Gateway:DeviceConnectBurst"] = "100",
        });
        var device = await node.EnrollDeviceAsync("looper");

        var accepted = 0;
        for (var connection = 0; connection < 8; connection++)
        {
            await using var client = await node.ConnectAsync(device);
            Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
            for (ushort i = 1; i <= 2; i++)
            {
                await client.SendAsync(Telemetry(device.Id, i));
                accepted += (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode == MqttReasonCode.Success ? 1 : 0;
            }

            await client.SendAsync(new DisconnectPacket());
            await client.WaitClosedAsync();
        }

        Assert.Equal(5, accepted);
    }

    [Fact]
    public async Task A_device_reconnecting_faster_than_its_connect_budget_is_refused_with_0x9F()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:DeviceConnectsPerMinute"] = "0.001",
            ["Rampart:Gateway:DeviceConnectBurst"] = "3",
        });
        var device = await node.EnrollDeviceAsync("flapper");

        var codes = new List<MqttReasonCode>();
        for (var connection = 0; connection < 5; connection++)
        {
            await using var client = await node.ConnectAsync(device);
            codes.Add((await client.ConnectAsync(device.Id)).ReasonCode);
        }

        Assert.Equal([MqttReasonCode.Success, MqttReasonCode.Success, MqttReasonCode.Success, MqttReasonCode.ConnectionRateExceeded, MqttReasonCode.ConnectionRateExceeded], codes);
        Assert.Equal(device.Id, (await node.EventAsync("gateway.refused", e => e.Details["reason"] == "reconnect-rate")).DeviceId);
    }

    [Fact]
    public async Task Denials_count_against_the_identity_across_reconnects()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Gateway:DenialsBeforeDisconnect"] = "5" });
        var device = await node.EnrollDeviceAsync("prober");
        await using (var first = await node.ConnectAsync(device))
        {
            await first.ConnectAsync(device.Id);
            for (ushort i = 1; i <= 3; i++)
            {
                await first.SendAsync(Telemetry($"victim-{i}", i));
                Assert.Equal(MqttReasonCode.NotAuthorized, (await first.ExpectAsync<PublishResponsePacket>()).ReasonCode);
            }
        }

        await using var second = await node.ConnectAsync(device);
        await second.ConnectAsync(device.Id);
        await second.SendAsync(Telemetry("victim-4", 1));
        Assert.Equal(MqttReasonCode.NotAuthorized, (await second.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        await second.SendAsync(Telemetry("victim-5", 2));

        var disconnect = Assert.IsType<DisconnectPacket>((await second.WaitClosedAsync())[^1]);
        Assert.Equal(MqttReasonCode.NotAuthorized, disconnect.ReasonCode);
        Assert.Contains("5 authorisation denials", disconnect.Properties.ReasonString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_past_the_global_cap_are_closed_at_once_whatever_their_source()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:MaxConnections"] = "2",
            ["Rampart:Gateway:HandshakeTimeout"] = "00:01:00",
        });
        var device = await node.EnrollDeviceAsync("capped");
        using var first = new System.Net.Sockets.TcpClient();
        await first.ConnectAsync(node.Mqtt);
        await using var second = await node.ConnectAsync(device, localAddress: System.Net.IPAddress.Parse("127.0.0.2"));
        Assert.Equal(MqttReasonCode.Success, (await second.ConnectAsync(device.Id)).ReasonCode);
        var gateway = node.Get<MqttGateway>();
        await Eventually.HoldsAsync(() => Task.FromResult(gateway.Connections.Open == 2), "both connections hold a slot");

        using var third = new System.Net.Sockets.TcpClient();
        try
        {
            await third.ConnectAsync(node.Mqtt);
            Assert.Equal(0, await ReadOrResetAsync(third));
        }
        catch (System.Net.Sockets.SocketException exception) when (exception.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
        {
            // Closed before the connect completed: the same verdict.
        }

        Assert.Equal("connection-limit", (await node.EventAsync("gateway.refused", e => e.Details["reason"] == "connection-limit")).Details["reason"]);

        // A slot frees when a connection ends.
        first.Dispose();
        await Eventually.HoldsAsync(() => Task.FromResult(gateway.Connections.Open == 1), "the closed connection's slot is free");
        await using var fourth = await node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await fourth.ConnectAsync(device.Id)).ReasonCode);
    }

    private static async Task<int> ReadOrResetAsync(System.Net.Sockets.TcpClient client)
    {
        using var patience = new CancellationTokenSource(Eventually.Patience);
        try
        {
            return await client.GetStream().ReadAsync(new byte[16], patience.Token);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
