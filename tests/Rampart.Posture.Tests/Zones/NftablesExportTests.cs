using System.Net;
using Rampart.Posture.Zones;
using Rampart.Testing;

namespace Rampart.Posture.Tests.Zones;

/// <summary>The zone policy's nftables ruleset is accepted by nft itself (Debian nftables; <c>nft -c</c> in a user and network namespace of its own).</summary>
public sealed class NftablesExportTests
{
    private static ZonePolicy Policy()
    {
        var options = new ZoneOptions();
        options.Zones["plant-1.floor"] = new ZoneDefinition { Restricted = true, CommandServices = ["ops"], Networks = ["10.20.0.0/24", "fd00:20::/64"] };
        options.Zones["office"] = new ZoneDefinition { Networks = ["192.168.5.0/24"] };
        options.Zones["confined"] = new ZoneDefinition { Networks = ["10.99.0.0/16", "10.98.1.7"] };
        return options.ToPolicy();
    }

    [Fact]
    public async Task The_exported_ruleset_passes_nft_check_and_confines_restricted_zones_to_the_hub()
    {
        var ruleset = NftablesExport.Render(Policy(), [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("fd00::1")]);
        using var directory = new TempDirectory();
        var path = directory.Sub("zones.nft");
        await File.WriteAllTextAsync(path, ruleset);

        var (exit, output) = await RunningProcess.RunAsync("unshare", ["-rn", "nft", "-c", "-f", path], TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, output + "\n" + ruleset);
        Assert.Contains("ip saddr @zone0_confined_v4 ip daddr { 10.0.0.1 } tcp dport { 8883, 8443 } accept", ruleset, StringComparison.Ordinal);
        Assert.Contains("ip saddr @zone0_confined_v4 counter drop", ruleset, StringComparison.Ordinal);
        Assert.Contains("elements = { fd00:20::/64 }", ruleset, StringComparison.Ordinal);
        Assert.DoesNotContain("saddr @zone1_office", ruleset, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ruleset_nft_rejects_is_caught_by_the_same_check()
    {
        using var directory = new TempDirectory();
        var path = directory.Sub("broken.nft");
        await File.WriteAllTextAsync(path, NftablesExport.Render(Policy(), []).Replace("type filter hook forward", "type filter hook sideways", StringComparison.Ordinal));

        var (exit, _) = await RunningProcess.RunAsync("unshare", ["-rn", "nft", "-c", "-f", path], TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
    }
}
