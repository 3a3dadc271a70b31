using System.Net;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// The cluster of three with HAProxy in TCP mode in front of nodes B and C (docs/scale-out.md,
/// "Behind HAProxy"): both trust the balancer's address (127.0.0.1) for PROXY protocol v2 headers.
/// Devices connect from other loopback addresses (127.0.0.x), so a test can tell their own address
/// from the balancer's; node A stays outside the balancer (enrollment, services).
/// </summary>
internal sealed class BalancedCluster : IAsyncDisposable
{
    private BalancedCluster(ClusterOfThree cluster, HaproxyServer balancer)
    {
        Cluster = cluster;
        Balancer = balancer;
    }

    public ClusterOfThree Cluster { get; }

    public HaproxyServer Balancer { get; }

    public static async Task<BalancedCluster> StartAsync(IDictionary<string, string?>? behindBalancer = null)
    {
        var settings = new Dictionary<string, string?>(behindBalancer ?? new Dictionary<string, string?>())
        {
            ["Rampart:Cluster:ProxyProtocolFrom"] = "127.0.0.1",
        };
        var cluster = await ClusterOfThree.StartAsync(behindBalancer: settings);
        try
        {
            await cluster.AllJoinedAsync();
            var balancer = await HaproxyServer.StartAsync([.. cluster.Nodes.Skip(1).Select(n => (n.Node.MqttEndPoint, HttpsEndPoint(n)))]);
            return new BalancedCluster(cluster, balancer);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects through the balancer from <paramref name="from"/> until a node accepts the CONNECT
    /// (a node just stopped is refused by HAProxy's retry on another, or by its check marking it down).
    /// </summary>
    public async Task<(MqttProbeClient Client, bool SessionPresent)> ConnectAsync(EnrolledIdentity identity, string clientId, IPAddress from, bool cleanStart = true, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        MqttProbeClient? connected = null;
        var present = false;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                var client = await MqttProbeClient.ConnectTlsAsync(Balancer.Mqtt, identity.Certificate, Cluster.First.Root, version, from);
                var connAck = await client.ConnectAsync(clientId, cleanStart, properties: cleanStart || version != MqttProtocolVersion.V500 ? null : new Rampart.Mqtt.Packets.MqttProperties { SessionExpiryInterval = 3600 });
                if (connAck.ReasonCode == MqttReasonCode.Success)
                {
                    (connected, present) = (client, connAck.SessionPresent);
                    return true;
                }

                await client.DisposeAsync();
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or TimeoutException)
            {
                // The balancer passed the connection to a node that was going away: try again.
            }

            return false;
        }, $"{clientId} connected through HAProxy\n{Balancer.Configuration}\n{Balancer.Output}", ClusterOfThree.Patience);
        return (connected!, present);
    }

    /// <summary>The node (1 = B, 2 = C) whose gateway holds <paramref name="clientId"/>'s connection.</summary>
    public int Holder(string clientId) =>
        Enumerable.Range(1, 2).Single(i => !Stopped.Contains(i) && Cluster.Get<MqttGateway>(i).Clients.ContainsKey(clientId));

    /// <summary>Nodes stopped by <see cref="StopAsync"/>.</summary>
    public HashSet<int> Stopped { get; } = [];

    public async Task StopAsync(int node)
    {
        Stopped.Add(node);
        await Cluster.StopAsync(node);
    }

    public async ValueTask DisposeAsync()
    {
        Balancer.Dispose();
        await Cluster.DisposeAsync();
    }

    private static IPEndPoint HttpsEndPoint(TestNode node) => new(IPAddress.Loopback, node.Node.HttpsUri.Port);
}
