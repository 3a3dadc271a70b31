using System.Net;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Credentials;
using Rampart.Adapters.Links;
using Rampart.Fleet.Inventory;
using Rampart.Server.Adapters;
using Rampart.Server.Tests.Cluster;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// A PSK rotated on one node of a cluster (three nodes, one PostgreSQL, one NATS): the other nodes end
/// the DTLS sessions the old key authenticated at once, through the relay that carries revocations,
/// and refuse the old key at the handshake.
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
}
