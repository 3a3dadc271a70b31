using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Tests.Exposure;

/// <summary>
/// The stored exposure line's rank (issue 22): a primary key and the console's next-page cursor, so it must stay short
/// whatever an SBOM's component references hold (PostgreSQL refuses B-tree entries past ~2.7 KB), stay unique, and order
/// open before closed, known exploited first, then by severity.
/// </summary>
public sealed class ExposureRankTests
{
    [Fact]
    public void A_component_reference_of_five_thousand_characters_still_gives_a_rank_within_the_bound()
    {
        var rank = ExposureResult.RankOf(Item("CVE-2024-1086", new string('r', 5000), "model:m1"));
        Assert.InRange(rank.Length, 1, ExposureResult.MaxRankLength);
        Assert.StartsWith("01", rank, StringComparison.Ordinal);
        Assert.Contains("|CVE-2024-1086|", rank, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_that_differ_only_in_scope_or_in_a_reference_that_contains_the_separator_have_different_ranks()
    {
        var ranks = new[]
        {
            ExposureResult.RankOf(Item("CVE-1", "a|b", "m1")),
            ExposureResult.RankOf(Item("CVE-1", "b", "m1|a")),
            ExposureResult.RankOf(Item("CVE-1", "a|b", "m2")),
            ExposureResult.RankOf(Item("CVE-1", "c", "m1")),
        };
        Assert.Equal(ranks.Length, ranks.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Open_lines_rank_before_closed_ones_known_exploited_first_then_by_severity()
    {
        var kev = new KnownExploitedEntry("CVE-9", "vendor", "product", "name", "2024-05-30", "2024-06-20", false, "patch");
        var openKevLow = ExposureResult.RankOf(Item("CVE-9", "c", "m1", Severity.Low, kev));
        var openCritical = ExposureResult.RankOf(Item("CVE-2", "c", "m1", Severity.Critical));
        var openLow = ExposureResult.RankOf(Item("CVE-1", "c", "m1", Severity.Low));
        var ordered = new[] { openLow, openCritical, openKevLow }.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([openKevLow, openCritical, openLow], ordered);
        Assert.True(string.CompareOrdinal(openLow, ExposureResult.ClosedFrom) < 0);
    }

    private static ExposureItem Item(string vulnerability, string reference, string model, Severity severity = Severity.High, KnownExploitedEntry? kev = null)
    {
        var component = new SbomComponent(reference, "kernel", "6.1", null, null, new Dictionary<string, string>(), null, []);
        var finding = new Finding(new Vulnerability(vulnerability, "osv", [], null, null, new VulnerabilityRating(null, severity, "test"), [], false), component, MatchStatus.Affected, "in range", null);
        return new ExposureItem(SbomScope.Model(model), model, new Assessment(finding, severity, null, kev), ["d-1"], null);
    }
}
