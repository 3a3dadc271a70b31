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
}
