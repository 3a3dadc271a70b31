using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rampart.Network.Inventory;
using Rampart.Server.Tests.Adapters;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Network;

/// <summary>
/// A node with network visibility as an operator runs it: loopback and 10/8 inventoried, the live
/// IPFIX/NetFlow v9 collector on a free UDP port (loopback exporters only, the default), batches judged every 200 ms.
/// </summary>
public sealed class NetworkNode : AdapterNode
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Rampart:Network:DeviceNetworks:0"] = "127.0.0.0/8",
        ["Rampart:Network:DeviceNetworks:1"] = "10.0.0.0/8",
        ["Rampart:Network:IpfixCollector"] = "127.0.0.1:0",
        ["Rampart:Network:CollectorFlushInterval"] = "00:00:00.200",
    };

    public string Data => Node.Node.Node.DataDirectory;

    /// <summary>Where the node's collector listens.</summary>
    public IPEndPoint Collector =>
        Node.Node.Node.Services.GetServices<IHostedService>().OfType<Server.Network.NetworkHost>().Single().Collector!.BoundEndPoint;

    /// <summary>Runs <c>rampart ARGS --data DIR</c> against this node's admin socket.</summary>
    public Task<(int ExitCode, string Output)> CliAsync(params string[] arguments) => RampartCli.RunAsync([.. arguments, "--data", Data]);

    /// <summary><c>rampart network devices [--unknown] --json</c>, parsed.</summary>
    public async Task<NetworkHost[]> DevicesAsync(bool unknownOnly = false)
    {
        var (exit, output) = await CliAsync(["network", "devices", "--json", .. unknownOnly ? new[] { "--unknown" } : []]);
        Assert.True(exit == 0, output);
        return JsonSerializer.Deserialize<NetworkHost[]>(output, Json)!;
    }

    /// <summary>Waits until the gateway's connection from <paramref name="address"/> is recorded as <paramref name="deviceId"/>'s.</summary>
    public Task AddressRecordedAsync(IPAddress address, string deviceId) =>
        Eventually.HoldsAsync(async () => (await Node.Get<INetworkStore>().DeviceAddressesAsync(1000, CancellationToken.None)).GetValueOrDefault(address.ToString()) == deviceId,
            $"{address} recorded as {deviceId}'s");
}
