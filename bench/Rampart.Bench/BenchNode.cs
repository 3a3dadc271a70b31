using Microsoft.Extensions.Configuration;
using Rampart.Server.Hosting;

namespace Rampart.Bench;

/// <summary>A node in the bench process on a fresh temporary data directory, on loopback ports the kernel picks.</summary>
internal static class BenchNode
{
    /// <summary>A new data directory path under the temporary folder, named for the scenario.</summary>
    public static string NewDataDirectory(string scenario) =>
        Path.Combine(Path.GetTempPath(), $"rampart-bench-{scenario}-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Starts a node on <paramref name="data"/> with warnings-only logging and any extra settings.</summary>
    public static Task<RampartNode> StartAsync(string data, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Rampart:DataDirectory"] = data,
            ["Rampart:Https"] = "127.0.0.1:0",
            ["Rampart:Mqtt"] = "127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return RampartNode.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), TextWriter.Null, CancellationToken.None);
    }

    /// <summary>The settings of cluster node <paramref name="nodeId"/> on one PostgreSQL database and one NATS server, under a prefix of its own.</summary>
    public static Dictionary<string, string?> ClusterSettings(string database, string nats, string prefix, string nodeId) => new()
    {
        ["Rampart:Storage:Provider"] = "postgres",
        ["Rampart:Storage:ConnectionString"] = database,
        ["Rampart:Cluster:Nats"] = nats,
        ["Rampart:Cluster:Prefix"] = prefix,
        ["Rampart:Cluster:NodeId"] = nodeId,
    };

    /// <summary>
    /// A second cluster node's data directory: a copy of a running node's (its keys and certificates, as
    /// docs/scale-out.md provisions them) without that node's lock file and admin socket.
    /// </summary>
    public static async Task CopyDataDirectoryAsync(string from, string to)
    {
        var (copied, output) = await Rampart.Testing.RunningProcess.RunAsync("cp", ["-a", from, to], TimeSpan.FromSeconds(60));
        if (copied != 0)
        {
            throw new InvalidOperationException(output);
        }

        File.Delete(Path.Combine(to, "rampart.lock"));
        File.Delete(Path.Combine(to, "admin.sock"));
    }
}
