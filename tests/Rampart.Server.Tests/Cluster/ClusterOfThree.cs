using Microsoft.Extensions.DependencyInjection;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Packets;
using Rampart.Server.Cluster;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Three nodes in this process on one PostgreSQL database and one nats-server (the run's), each on
/// its own data directory holding the same keys (copies of the first node's, as issue 15 provisions
/// a cluster), with a NATS subject prefix of their own so other tests' clusters stay apart. Clients
/// connect over real mutual TLS with certificates the cluster's CA issued.
/// </summary>
internal sealed class ClusterOfThree : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp;
    private readonly TestNode[] _nodes;
    private readonly (string Data, Dictionary<string, string?> Settings)[] _starts;

    private ClusterOfThree(GatewayNode first, TestNode[] others, (string, Dictionary<string, string?>)[] starts, TempDirectory temp, string database)
    {
        First = first;
        Database = database;
        _temp = temp;
        _nodes = [first.Node, .. others];
        _starts = [default, .. starts];
    }

    /// <summary>Node A, through which devices and services are enrolled (it writes them to the shared database).</summary>
    public GatewayNode First { get; }

    /// <summary>The connection string of the cluster's PostgreSQL database.</summary>
    public string Database { get; }

    /// <summary>Nodes A, B and C.</summary>
    public IReadOnlyList<TestNode> Nodes => _nodes;

    /// <summary>
    /// Starts the three nodes, each also with <paramref name="extra"/> settings (a capability's own);
    /// <paramref name="behindBalancer"/> are further settings of nodes B and C (those a load balancer fronts in the HAProxy tests).
    /// </summary>
    public static async Task<ClusterOfThree> StartAsync(IReadOnlyDictionary<string, string?>? extra = null, IDictionary<string, string?>? behindBalancer = null)
    {
        var database = await PostgresServer.NewDatabaseAsync();
        var nats = (await NatsServer.Shared).Url.ToString();
        var prefix = "c" + Guid.NewGuid().ToString("N")[..12];
        Dictionary<string, string?> Settings(int index) => new()
        {
            ["Rampart:Storage:Provider"] = "postgres",
            ["Rampart:Storage:ConnectionString"] = database,
            ["Rampart:Cluster:Nats"] = nats,
            ["Rampart:Cluster:Prefix"] = prefix,
            ["Rampart:Cluster:NodeId"] = "node-" + (char)('a' + index),
        };

        Dictionary<string, string?> With(Dictionary<string, string?> settings)
        {
            foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            {
                settings[key] = value;
            }

            return settings;
        }

        var temp = new TempDirectory();
        var first = await GatewayNode.StartAsync(With(Settings(0)));
        var others = new List<TestNode>();
        var starts = new List<(string, Dictionary<string, string?>)>();
        try
        {
            foreach (var index in new[] { 1, 2 })
            {
                var data = temp.Sub("node-" + index);
                await CopyKeysAsync(first.Node.Node.DataDirectory, data);
                var settings = new Dictionary<string, string?>(GatewayNode.IngestService);
                foreach (var (key, value) in With(Settings(index)).Concat(behindBalancer ?? new Dictionary<string, string?>()))
                {
                    settings[key] = value;
                }

                starts.Add((data, settings));
                others.Add(await TestNode.StartAsync(data, settings));
            }
        }
        catch
        {
            foreach (var node in others)
            {
                await node.DisposeAsync();
            }

            await first.DisposeAsync();
            temp.Dispose();
            throw;
        }

        return new ClusterOfThree(first, [.. others], [.. starts], temp, database);
    }

    /// <summary>Stops node <paramref name="node"/> (B or C) as an orderly shutdown does; disposing the cluster later skips it.</summary>
    public ValueTask StopAsync(int node) => node == 0 ? throw new ArgumentOutOfRangeException(nameof(node), "node A enrolls; stop B or C") : Nodes[node].DisposeAsync();

    /// <summary>Starts node <paramref name="node"/> (B or C) again on its data directory and settings, after <see cref="StopAsync"/>.</summary>
    public async Task RestartAsync(int node)
    {
        ArgumentOutOfRangeException.ThrowIfZero(node);
        await _nodes[node].DisposeAsync();
        _nodes[node] = await TestNode.StartAsync(_starts[node].Data, _starts[node].Settings);
    }

    /// <summary>The data directory and settings node <paramref name="node"/> (B or C) starts with, to run it elsewhere (a child process).</summary>
    public (string Data, IReadOnlyDictionary<string, string?> Settings) StartOf(int node) =>
        node == 0 ? throw new ArgumentOutOfRangeException(nameof(node), "node A enrolls; use B or C") : (_starts[node].Data, _starts[node].Settings);

    /// <summary>Connects <paramref name="identity"/> to node <paramref name="node"/> (0 = A) and completes CONNECT as <paramref name="clientId"/>.</summary>
    public async Task<MqttProbeClient> ConnectAsync(int node, EnrolledIdentity identity, string clientId)
    {
        var client = await MqttProbeClient.ConnectTlsAsync(Nodes[node].Node.MqttEndPoint, identity.Certificate, First.Root);
        var connAck = await client.ConnectAsync(clientId);
        Assert.Equal(Rampart.Mqtt.Protocol.MqttReasonCode.Success, connAck.ReasonCode);
        return client;
    }

    public T Get<T>(int node)
        where T : notnull => Nodes[node].Node.Services.GetRequiredService<T>();

    /// <summary>
    /// Interest reaches NATS asynchronously after SUBACK and core NATS is at-most-once, so the first
    /// messages may go nowhere: publishes until one arrives and returns it.
    /// </summary>
    public static async Task<PublishPacket> PublishUntilReceivedAsync(MqttProbeClient publisher, MqttProbeClient subscriber, string topic, string payload)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            await publisher.SendAsync(new PublishPacket { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(payload) });
            while (await TryReceiveAsync(subscriber, TimeSpan.FromMilliseconds(250)) is { } packet)
            {
                if (packet is PublishPacket publish && publish.Topic == topic)
                {
                    return publish;
                }
            }

        }

        throw new TimeoutException($"nothing on {topic} reached the subscriber within {Patience}");
    }

    public static async Task<MqttPacket?> TryReceiveAsync(MqttProbeClient client, TimeSpan wait)
    {
        try
        {
            return await client.ReceiveAsync(wait);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Waits until every node's fabric has joined NATS.</summary>
    public Task AllJoinedAsync() =>
        Eventually.HoldsAsync(() => Task.FromResult(Enumerable.Range(0, 3).All(i => Get<ClusterNode>(i).Connected)), "all three nodes joined NATS", Patience);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Skip(1))
        {
            await node.DisposeAsync();
        }

        await First.DisposeAsync();
        _temp.Dispose();
    }

    // The keys, certificates and TUF metadata, not the lock, the admin socket or a SQLite file.
    private static async Task CopyKeysAsync(string from, string to)
    {
        var (exitCode, output) = await RunningProcess.RunAsync("cp", ["-a", from, to], Patience);
        Assert.True(exitCode == 0, output);
        foreach (var left in Directory.EnumerateFileSystemEntries(to).Where(p => Path.GetFileName(p) is "rampart.lock" or "admin.sock" || Path.GetFileName(p).StartsWith("rampart.db", StringComparison.Ordinal)))
        {
            File.Delete(left);
        }
    }
}
