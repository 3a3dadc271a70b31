using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Tests.Vulnerabilities;

/// <summary>An import applied to an index re-matches only what it touches, and matches as a fresh index would.</summary>
public sealed class IncrementalIndexTests
{
    private static Vulnerability Record(string id, string package, string introduced, string fixedIn) =>
        new(id, "osv", [], null, null, VulnerabilityRating.Unscored,
            [new AffectedPackage("npm", package, null, null, null, [], [new OsvRange("SEMVER", null, [new OsvEvent("introduced", introduced), new OsvEvent("fixed", fixedIn)])], [], [], null)], false);

    private static SbomComponent Component(string name, string version) => new(name, name, version, $"pkg:npm/{name}@{version}", null, new Dictionary<string, string>(), null, []);

    [Fact]
    public void A_changed_record_is_matched_afresh_and_matches_of_untouched_packages_are_kept()
    {
        var index = new VulnerabilityIndex([Record("V-1", "left", "1.0.0", "1.2.0"), Record("V-2", "right", "1.0.0", "1.2.0")]);
        Assert.Single(index.Match(Component("left", "1.1.0")));
        Assert.Single(index.Match(Component("right", "1.1.0")));
        Assert.Equal(2, index.RememberedCount);

        // V-1 is now fixed in 1.1.0: left 1.1.0 is no longer affected; right's match is kept, not redone.
        var updated = index.With([Record("V-1", "left", "1.0.0", "1.1.0"), Record("V-2", "right", "1.0.0", "1.2.0")]);
        Assert.Equal(1, updated.RememberedCount);
        Assert.Empty(updated.Match(Component("left", "1.1.0")));
        Assert.Single(updated.Match(Component("right", "1.1.0")));
        Assert.Equal(2, updated.Count);

        // The old index is untouched (a recompute in flight keeps its view), and the same as a fresh build.
        Assert.Single(index.Match(Component("left", "1.1.0")));
        var fresh = new VulnerabilityIndex([Record("V-1", "left", "1.0.0", "1.1.0"), Record("V-2", "right", "1.0.0", "1.2.0")]);
        Assert.Equal(fresh.Match(Component("left", "1.0.5")).Select(f => f.Vulnerability.Id), updated.Match(Component("left", "1.0.5")).Select(f => f.Vulnerability.Id));
    }

    [Fact]
    public void An_unchanged_batch_returns_the_same_index_and_a_new_record_is_matched()
    {
        var index = new VulnerabilityIndex([Record("V-1", "left", "1.0.0", "1.2.0")]);
        Assert.Same(index, index.With([Record("V-1", "left", "1.0.0", "1.2.0")]));
        Assert.Empty(index.Match(Component("other", "1.0.0")));

        var added = index.With([Record("V-3", "other", "0", "2.0.0")]);
        Assert.Equal("V-3", Assert.Single(added.Match(Component("other", "1.0.0"))).Vulnerability.Id);
        Assert.Empty(index.Match(Component("other", "1.0.0")));
    }
}
