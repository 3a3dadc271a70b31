using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;

namespace Rampart.SupplyChain.Tests.Vulnerabilities;

public sealed class MatchingTests
{
    private static readonly Lazy<VulnerabilityIndex> Fixtures = new(() => new VulnerabilityIndex(VulnerabilitySet.Load(Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns"))));

    [Theory]
    [InlineData("pkg:generic/curl@8.3.0", null)]
    [InlineData(null, "cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*")]
    [InlineData("pkg:deb/debian/curl@8.3.0", null)]
    public void Curl_8_3_0_is_exposed_to_CVE_2023_38545(string? purl, string? cpe)
    {
        var finding = Assert.Single(Fixtures.Value.Match(Component("curl", "8.3.0", purl, cpe)), f => f.Vulnerability.Id == "CVE-2023-38545");
        Assert.Equal(MatchStatus.Affected, finding.Status);
        Assert.Equal("8.4.0", finding.FixedIn);
    }

    [Theory]
    [InlineData("8.4.0")]
    [InlineData("8.11.1")]
    [InlineData("7.68.0")]
    public void Curl_outside_the_affected_range_is_not_exposed_to_CVE_2023_38545(string version) =>
        Assert.DoesNotContain(Fixtures.Value.Match(Component("curl", version, $"pkg:generic/curl@{version}")), f => f.Vulnerability.Id == "CVE-2023-38545");

    [Fact]
    public void Dnsmasq_2_85_is_not_exposed_to_CVE_2020_25681()
    {
        Assert.DoesNotContain(Fixtures.Value.Match(Component("dnsmasq", "2.85", "pkg:generic/dnsmasq@2.85")), f => f.Vulnerability.Id == "CVE-2020-25681");
        Assert.Contains(Fixtures.Value.Match(Component("dnsmasq", "2.83", "pkg:generic/dnsmasq@2.83")), f => f.Vulnerability.Id == "CVE-2020-25681" && f.Status == MatchStatus.Affected);
    }

    [Fact]
    public void A_record_with_only_GIT_ranges_reports_unknown_not_unaffected()
    {
        var curl = Fixtures.Value.Match(Component("curl", "8.4.0", "pkg:generic/curl@8.4.0"));
        var git = Assert.Single(curl, f => f.Vulnerability.Id == "OSV-2017-1");
        Assert.Equal(MatchStatus.Unknown, git.Status);
        Assert.Contains("GIT", git.Reason, StringComparison.Ordinal);
        Assert.Equal(Severity.Medium, git.Vulnerability.Rating.Severity);
    }

    [Theory]
    [InlineData("1.1.9", false)]
    [InlineData("1.2.0", true)]
    [InlineData("1.4.0", true)]
    [InlineData("1.4.1", false)]
    public void A_SEMVER_range_of_an_npm_package_matches_its_purl(string version, bool affected)
    {
        var findings = Fixtures.Value.Match(Component("left-pad", version, $"pkg:npm/%40scope/left-pad@{version}"));
        Assert.Equal(affected, findings.Any(f => f.Vulnerability.Id == "RAMPART-TEST-2026-0001" && f.Status == MatchStatus.Affected));
        Assert.DoesNotContain(Fixtures.Value.Match(Component("left-pad", version, $"pkg:npm/left-pad@{version}")), f => f.Vulnerability.Id == "RAMPART-TEST-2026-0001");
    }

    [Theory]
    [InlineData("1.9.9", true)]
    [InlineData("2.0.0b9", false)]
    [InlineData("2.0.0rc1", true)]
    [InlineData("2.1", true)]
    [InlineData("2.1.post1", true)]
    [InlineData("2.1.post2", false)]
    public void A_PyPI_ECOSYSTEM_range_and_versions_list_order_by_PEP_440(string version, bool affected) =>
        Assert.Equal(affected, Fixtures.Value.Match(Component("requests-toolbelt", version, $"pkg:pypi/requests-toolbelt@{version}"))
            .Any(f => f.Vulnerability.Id == "RAMPART-TEST-2026-0002" && f.Status == MatchStatus.Affected));

    [Theory]
    [InlineData("1:2.0~rc1", true)]
    [InlineData("1:2.0-1", true)]
    [InlineData("1:2.0-2", false)]
    [InlineData("2.5", true)]
    public void A_Debian_ECOSYSTEM_range_orders_by_dpkg(string version, bool affected) =>
        Assert.Equal(affected, Fixtures.Value.Match(Component("libexample", version, $"pkg:deb/debian/libexample@{Uri.EscapeDataString(version)}"))
            .Any(f => f.Vulnerability.Id == "RAMPART-TEST-2026-0003"));

    [Fact]
    public void Severity_comes_from_the_CVSS_vector_or_the_record_or_is_unscored()
    {
        var records = VulnerabilitySet.Load(Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns")).ToDictionary(r => r.Id);
        Assert.Equal((9.8, Severity.Critical), (records["RAMPART-TEST-2026-0001"].Rating.Score, records["RAMPART-TEST-2026-0001"].Rating.Severity));
        Assert.Equal(Severity.Low, records["RAMPART-TEST-2026-0003"].Rating.Severity);
        Assert.Equal(7.8, records["CVE-2024-1086"].Rating.Score);
        Assert.Null(records["CVE-2023-38545"].Rating.Severity);
        Assert.Equal(Severity.High, Policy.SeverityPolicy.Default.Of(records["CVE-2023-38545"]));
        Assert.Equal(Severity.Critical, new Policy.SeverityPolicy(Severity.Critical).Of(records["CVE-2023-38545"]));
    }

    [Fact]
    public void A_component_without_a_version_is_unknown_for_records_that_name_it() =>
        Assert.All(Fixtures.Value.Match(Component("curl", null, null)), f => Assert.Equal(MatchStatus.Unknown, f.Status));

    private static SbomComponent Component(string name, string? version, string? purl, string? cpe = null) =>
        new("ref", name, version, purl, cpe, new Dictionary<string, string>(), null, []);
}
