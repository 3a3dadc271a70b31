using Microsoft.Extensions.DependencyInjection;
using Rampart.Server.SupplyChain;
using Rampart.Server.Tests.Cluster;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;

namespace Rampart.Server.Tests.SupplyChain;

/// <summary>
/// Supply chain's shared data across nodes on one PostgreSQL (migrations 0023 and 0032): each node keeps its
/// vulnerability index and KEV catalog in memory and follows the change stamps, so an import on node A is
/// what node B matches with, an update that adds no record included.
/// </summary>
public sealed class SupplyChainClusterTests : IAsyncLifetime
{
    private ClusterOfThree _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterOfThree.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Node_B_matches_with_what_node_A_imported_including_an_update_that_adds_no_record_and_a_KEV_catalog()
    {
        var a = _cluster.First.Get<SupplyChainService>();
        var b = _cluster.Nodes[1].Node.Services.GetRequiredService<SupplyChainService>();
        bool Exposed(Rampart.SupplyChain.Matching.VulnerabilityIndex index, string version) =>
            index.Match(new SbomComponent("curl", "curl", version, $"pkg:generic/curl@{version}", null, new Dictionary<string, string>(), null, []))
                .Any(f => f.Vulnerability.Id == "CVE-2023-38545" && f.Status == Rampart.SupplyChain.Matching.MatchStatus.Affected);

        // B builds its index first (empty), so what follows is B noticing A's writes, not a first read.
        Assert.Equal(0, (await b.IndexAsync(CancellationToken.None)).Count);
        Assert.Empty((await b.KnownExploitedAsync(CancellationToken.None)).Entries);

        var records = VulnerabilitySet.Load(Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns", "cve-json5"));
        await a.ImportAsync(records, complete: true, "op", CancellationToken.None);
        var first = await b.IndexAsync(CancellationToken.None);
        Assert.Equal(records.Count, first.Count);
        Assert.True(Exposed(first, "8.3.0"));
        Assert.False(Exposed(first, "8.4.0"));

        // An update on A that adds nothing (the count stays): the record now says 8.4.0 is affected too.
        var curl = records.Single(r => r.Id == "CVE-2023-38545");
        var widened = curl with { Affected = [.. curl.Affected.Select(p => p with { CveVersions = [new CveVersion("affected", "7.69.0", "8.5.0", null, "semver")] })] };
        var update = await a.ImportAsync([widened], complete: true, "op", CancellationToken.None);
        Assert.Equal((0, 1), (update.Stored.Added, update.Stored.Updated));
        var second = await b.IndexAsync(CancellationToken.None);
        Assert.Equal(records.Count, second.Count);
        Assert.True(Exposed(second, "8.4.0"));

        // The KEV catalog imported on A is B's policy.
        var kev = await a.ImportKnownExploitedAsync(await File.ReadAllBytesAsync(Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns", "kev", "known_exploited_vulnerabilities.json")),
            "op", CancellationToken.None);
        Assert.Equal((4, true), (kev.Entries, kev.Changed));
        var policy = await b.PolicyAsync(CancellationToken.None);
        Assert.Equal("2024-05-30", policy.ExploitedOf(records.Single(r => r.Id == "CVE-2024-1086"))!.DateAdded);
        Assert.Null(policy.ExploitedOf(curl));

        // The same catalog again changes nothing anywhere.
        Assert.False((await b.ImportKnownExploitedAsync(await File.ReadAllBytesAsync(Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns", "kev", "known_exploited_vulnerabilities.json")),
            "op", CancellationToken.None)).Changed);
    }
}
