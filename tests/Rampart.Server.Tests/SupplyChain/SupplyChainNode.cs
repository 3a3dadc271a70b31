using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Updates;
using Rampart.Server.Admin;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.SupplyChain;

/// <summary>A node with the release gate enforced, releases of model "cam" with SBOMs, and devices that report what they run.</summary>
internal sealed class SupplyChainNode : IAsyncDisposable
{
    private readonly TempDirectory _temp;

    private SupplyChainNode(TestNode node, TempDirectory temp) => (Node, _temp) = (node, temp);

    public TestNode Node { get; }

    public string Data => Node.Node.DataDirectory;

    public T Get<T>()
        where T : notnull => Node.Node.Services.GetRequiredService<T>();

    public static async Task<SupplyChainNode> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var temp = new TempDirectory();
        var all = new Dictionary<string, string?> { ["Rampart:SupplyChain:EnforceGate"] = "true" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var node = await TestNode.StartAsync(temp.Sub("data"), all);
        return new SupplyChainNode(node, temp);
    }

    /// <summary>An admin client on the node's admin socket (the real HTTP API, as the CLI uses it).</summary>
    public AdminClient Admin() => new(Node.Node.AdminSocketPath);

    /// <summary>Adds a staged release of "cam" whose SBOM lists curl and dnsmasq in these versions.</summary>
    public async Task<Release> ReleaseAsync(string version, string curl, string dnsmasq = "2.85", string? sbom = null)
    {
        var uploads = Get<ReleaseUploads>();
        var (image, _) = await uploads.StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(4096)), CancellationToken.None);
        var document = sbom ?? $$$"""
            {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"type":"firmware","name":"cam-fw","version":"{{{version}}}"}},
             "components":[{"type":"library","name":"curl","version":"{{{curl}}}","purl":"pkg:generic/curl@{{{curl}}}","bom-ref":"curl"},
                           {"type":"library","name":"dnsmasq","version":"{{{dnsmasq}}}","purl":"pkg:generic/dnsmasq@{{{dnsmasq}}}","bom-ref":"dnsmasq"}]}
            """;
        var (sbomSha, _) = await uploads.StoreAsync(new MemoryStream(Encoding.UTF8.GetBytes(document)), CancellationToken.None);
        return await Get<ReleaseService>().AddAsync(new NewRelease("cam", version, 1, [], image, sbomSha), "release-engineer", CancellationToken.None);
    }

    /// <summary>Adds devices of "cam" that report running <paramref name="version"/>.</summary>
    public async Task DevicesAsync(string prefix, int count, string version)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i}";
            await Get<InventoryService>().AddAsync(new NewDevice(id, Model: "cam"), "op", CancellationToken.None);
            await Get<IRolloutStore>().RecordFirmwareAsync(id, new ReportedFirmware(version, 1, DateTimeOffset.UtcNow), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        _temp.Dispose();
    }
}
