using System.Globalization;
using System.Text.Json;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Gateway;

/// <summary>
/// MQTT 5 server properties over real mTLS with a real peer (MQTT.js): Server Keep Alive when the
/// broker caps a keep-alive, topic aliases on what the broker sends, and an assigned client id for a
/// service whose settings allow it; a device never gets one.
/// </summary>
public sealed class GatewayMqtt5InteropTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(new Dictionary<string, string?>
    {
        ["Rampart:Gateway:Services:ingest:AssignClientIds"] = "true",
        ["Rampart:Broker:MaximumKeepAliveSeconds"] = "60",
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task An_MQTTjs_service_gets_an_assigned_id_and_the_capped_keep_alive_and_an_MQTTjs_device_receives_aliased_commands()
    {
        var device = await _node.EnrollDeviceAsync("alias-js");
        var service = await _node.ServiceAsync("ingest");
        var script = Path.Combine(GatewayInteropTests.InteropDirectory, "mqttjs-v5-server-properties.mjs");

        var (exit, output) = await RunningProcess.RunAsync("node",
            [script, "127.0.0.1", _node.Mqtt.Port.ToString(CultureInfo.InvariantCulture), _node.RootPemPath, device.CertificatePath, device.KeyPath, device.Id,
                service.CertificatePath, service.KeyPath, "3"], Patience);

        Assert.True(exit == 0, output);
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal(0, root.GetProperty("serviceConnack").GetInt32());
        Assert.Matches("^ingest-[0-9a-f]{16}$", root.GetProperty("assignedClientIdentifier").GetString());
        Assert.Equal(60, root.GetProperty("serverKeepAlive").GetInt32());
        var received = root.GetProperty("received").EnumerateArray().Select(m => (m.GetProperty("topic").GetString(), m.GetProperty("alias").GetInt32(), m.GetProperty("payload").GetString())).ToArray();
        Assert.Equal(
            [($"devices/{device.Id}/commands/reboot", 1, "command 0"), ($"devices/{device.Id}/commands/reboot", 1, "command 1"), ($"devices/{device.Id}/commands/reboot", 1, "command 2")],
            received);
    }

    [Fact]
    public async Task An_assigned_client_id_is_one_the_service_may_use_and_is_registered_under_it()
    {
        var service = await _node.ServiceAsync("ingest");
        await using var client = await _node.ConnectAsync(service);

        var connAck = await client.ConnectAsync(string.Empty);

        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        var assigned = connAck.Properties.AssignedClientIdentifier;
        Assert.StartsWith("ingest-", assigned, StringComparison.Ordinal);
        Assert.True(_node.Get<MqttGateway>().Broker.IsConnected(assigned!));
        Assert.True(_node.Get<MqttGateway>().Clients.ContainsKey(assigned!));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_device_with_an_empty_client_id_is_refused_with_0x85_and_never_assigned_one(MqttProtocolVersion version)
    {
        var device = await _node.EnrollDeviceAsync($"no-id-{version}");
        await using var client = await _node.ConnectAsync(device, version);

        var connAck = await client.ConnectAsync(string.Empty);

        // 3.1.1 §3.2.2.3: return code 2, identifier rejected.
        Assert.Equal(version == MqttProtocolVersion.V500 ? MqttReasonCode.ClientIdentifierNotValid : (MqttReasonCode)0x02, connAck.ReasonCode);
        Assert.Null(connAck.Properties.AssignedClientIdentifier);
    }

    [Fact]
    public async Task A_service_without_assigned_ids_must_name_its_client_id()
    {
        await using var node = await GatewayNode.StartAsync();
        var service = await node.ServiceAsync("ingest");
        await using var client = await node.ConnectAsync(service);

        var connAck = await client.ConnectAsync(string.Empty);

        Assert.Equal(MqttReasonCode.ClientIdentifierNotValid, connAck.ReasonCode);
    }
}
