using Rampart.Device.Connection;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Gateway;

/// <summary>
/// A fleet reconnecting at once (issue 12, item 6): past the admission backlog CONNECTs are refused
/// with "server busy" at once, and devices with the SDK come back after jittered backoff, all of them.
/// </summary>
public sealed class ConnectionStormTests
{
    private const int Devices = 24;

    [Fact]
    public async Task A_storm_of_device_connects_past_the_backlog_gets_server_busy_and_every_device_connects_in_the_end()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:MaxPendingConnects"] = "2",
            ["Rampart:Gateway:DeviceConnectBurst"] = "1000",
            ["Rampart:Gateway:DeviceConnectsPerMinute"] = "1000",
        });
        var identities = new List<EnrolledIdentity>();
        for (var i = 0; i < Devices; i++)
        {
            identities.Add(await node.EnrollDeviceAsync($"storm-{i:D2}"));
        }

        var clients = identities.Select(identity => new DeviceMqttClient(new DeviceConnectionOptions
        {
            DeviceId = identity.Id,
            Host = "127.0.0.1",
            Port = node.Mqtt.Port,
            TrustedRoot = node.Root,
            Certificate = () => identity.Certificate,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaximumReconnectDelay = TimeSpan.FromSeconds(1),
        })).ToList();
        try
        {
            await Task.WhenAll(clients.Select(client => client.StartAsync(CancellationToken.None))).WaitAsync(Eventually.Patience);

            var gateway = node.Get<MqttGateway>();
            Assert.All(identities, identity => Assert.True(gateway.Broker.IsConnected(identity.Id), identity.Id));
            Assert.True(gateway.BusyRefusals > 0, "no CONNECT was refused as busy: the storm never passed a backlog of 2");
            Assert.Equal(gateway.BusyRefusals, clients.Sum(client => client.BusyRefusals));
            Assert.Equal(0, gateway.PendingConnects.Open);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500, MqttReasonCode.ServerBusy)]
    [InlineData(MqttProtocolVersion.V311, (MqttReasonCode)0x03)]
    public async Task A_CONNECT_past_the_backlog_is_answered_server_busy_in_the_code_of_its_protocol_version(MqttProtocolVersion version, MqttReasonCode expected)
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Gateway:MaxPendingConnects"] = "1" });
        var device = await node.EnrollDeviceAsync("busy-1");

        // One connection holds the only admission slot: TLS done, no CONNECT sent.
        await using var holder = await node.ConnectAsync(device, version);
        await using var late = await node.ConnectAsync(device, version);
        var connAck = await late.ConnectAsync("busy-1");

        Assert.Equal(expected, connAck.ReasonCode);
        Assert.Equal(1, node.Get<MqttGateway>().BusyRefusals);
    }
}
