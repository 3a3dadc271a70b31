using System.Net;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Credentials;
using Rampart.Adapters.Links;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Server.Adapters;
using Rampart.Server.Tests.Cluster;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// A PSK rotated on one node of a cluster (three nodes, one PostgreSQL, one NATS): the other nodes end
/// the DTLS sessions the old key authenticated at once, through the relay that carries revocations,
/// and refuse the old key at the handshake. And a command held when a device's link closes on one
/// node reaches the device through another (held commands live in the shared database).
/// </summary>
public sealed class PskRotationClusterTests : IAsyncLifetime
{
    private ClusterOfThree _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterOfThree.StartAsync(new Dictionary<string, string?> { ["Rampart:Coap"] = "127.0.0.1:0" });
        await _cluster.AllJoinedAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private IPEndPoint Coap(int node) => new(IPAddress.Loopback, _cluster.Get<CoapHost>(node).Listener!.BoundEndPoint!.Port);

    [Fact]
    public async Task A_psk_rotated_on_node_A_closes_the_devices_DTLS_session_on_node_B_at_once_and_the_old_key_is_refused()
    {
        const string id = "coap-cluster-1";
        await _cluster.Get<InventoryService>(0).AddAsync(new NewDevice(id), "test", CancellationToken.None);
        var old = (await _cluster.Get<DeviceCredentials>(0).IssuePskAsync(id, "test", CancellationToken.None)).Secret;
        using var client = await DtlsTestClient.ConnectAsync(Coap(1), id, old);
        var token = new byte[] { 0xC1 };
        client.Send(new CoapMessage(CoapType.Confirmable, CoapCodes.Post, 1, token,
            [new CoapOption(CoapOptions.UriPath, "t"u8.ToArray()), new CoapOption(CoapOptions.UriPath, "temp"u8.ToArray())], "21"u8.ToArray()));
        Assert.Equal(CoapCodes.Changed, client.ReceiveUntil(token, ClusterOfThree.Patience).Answer.Code);
        var onB = _cluster.Get<CoapHost>(1).Listener!;
        Assert.Equal(1, onB.SessionsOf(id));

        var rotated = await _cluster.Get<DeviceCredentials>(0).IssuePskAsync(id, "test", CancellationToken.None);

        await Eventually.HoldsAsync(() => Task.FromResult(onB.SessionsOf(id) == 0 && _cluster.Get<DeviceLinks>(1).Find(id) is null),
            "node B ended the session of the old key", ClusterOfThree.Patience);
        await Assert.ThrowsAnyAsync<Exception>(() => DtlsTestClient.ConnectAsync(Coap(2), id, old));
        using var renewed = await DtlsTestClient.ConnectAsync(Coap(2), id, rotated.Secret);
        var again = new byte[] { 0xC2 };
        renewed.Send(new CoapMessage(CoapType.Confirmable, CoapCodes.Post, 2, again,
            [new CoapOption(CoapOptions.UriPath, "t"u8.ToArray()), new CoapOption(CoapOptions.UriPath, "temp"u8.ToArray())], "22"u8.ToArray()));
        Assert.Equal(CoapCodes.Changed, renewed.ReceiveUntil(again, ClusterOfThree.Patience).Answer.Code);
    }

    [Fact]
    public async Task A_command_held_when_the_devices_link_closes_on_node_A_reaches_its_long_poll_on_node_B_once()
    {
        var device = await _cluster.First.EnrollDeviceAsync("http-moved");
        Task<(int Status, string Body)> Curl(int node, string path, params string[] extra) =>
            AdapterNode.CurlAsync(_cluster.First.RootPemPath, _cluster.Nodes[node].Node.HttpsUri, device, "GET", path, extra);
        Assert.Equal(204, (await Curl(0, "/device/v1/commands?wait=0")).Status);
        var onA = _cluster.Get<DeviceLinks>(0);
        _cluster.Get<MqttGateway>(0).Broker.Publish("devices/http-moved/commands/valve", "shut"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
        await Eventually.HoldsAsync(() => Task.FromResult(onA.Find("http-moved")?.Commands.Count == 1), "node A's link took the command", ClusterOfThree.Patience);

        // The link closes on node A (as when idle): the command is held in the cluster's database.
        Assert.True(await onA.CloseAsync("http-moved"));
        var onB = _cluster.Get<DeviceLinks>(1);
        Assert.Equal(1, await onB.Held.CountForAsync("http-moved"));

        var (status, body) = await Curl(1, "/device/v1/commands?wait=10", "-D", "-");
        Assert.True(status == 200, body);
        Assert.Contains("rampart-command: valve", body, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("shut", body.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(0, await onA.Held.CountForAsync("http-moved"));
        Assert.Equal(204, (await Curl(1, "/device/v1/commands?wait=0")).Status);
    }
}
