using System.IO.Compression;
using System.Text;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;

namespace Rampart.SupplyChain.Tests.Vulnerabilities;

public sealed class ParserTests
{
    [Theory]
    [InlineData("""{"modified":"2026-01-01T00:00:00Z"}""", "id")]
    [InlineData("""{"id":"X-1"}""", "modified")]
    [InlineData("""{"id":"X-1","modified":"2026-01-01T00:00:00Z","affected":[{"ranges":[{"type":"NOPE","events":[]}]}]}""", "affected[0].ranges[0].type")]
    [InlineData("""{"id":"X-1",""", "")]
    public void A_malformed_OSV_record_is_refused_naming_the_field(string text, string path)
    {
        var refusal = Assert.Throws<VulnerabilityFormatException>(() => VulnerabilityParser.Parse("x.json", Encoding.UTF8.GetBytes(text)));
        Assert.Equal((path, "x.json"), (refusal.Path, refusal.File));
    }

    [Fact]
    public void A_YAML_alias_bomb_is_refused_not_expanded()
    {
        var yaml = new StringBuilder("id: X\nmodified: '2026-01-01T00:00:00Z'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++)
        {
            yaml.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        var refusal = Assert.Throws<VulnerabilityFormatException>(() => VulnerabilityParser.Parse("bomb.yaml", Encoding.UTF8.GetBytes(yaml.ToString())));
        Assert.Contains("nodes", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_and_a_tar_gz_of_records_read_the_same_records_as_the_directory()
    {
        using var directory = new TempDirectory();
        var source = Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns");
        var zip = directory.Sub("vulns.zip");
        ZipFile.CreateFromDirectory(source, zip);
        var tar = directory.Sub("vulns.tar.gz");
        using (var output = new GZipStream(File.Create(tar), CompressionLevel.Fastest))
        {
            System.Formats.Tar.TarFile.CreateFromDirectory(source, output, includeBaseDirectory: false);
        }

        var expected = VulnerabilitySet.Load(source).Select(r => r.Id).Order(StringComparer.Ordinal).ToArray();
        Assert.True(expected.Length > 50);
        Assert.Equal(expected, VulnerabilitySet.Load(zip).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(expected, VulnerabilitySet.Load(tar).Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_rejected_CVE_is_kept_as_withdrawn()
    {
        var record = VulnerabilityParser.Parse("r.json", Encoding.UTF8.GetBytes("""
            {"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2026-0001","state":"REJECTED"},"containers":{"cna":{"rejectedReasons":[]}}}
            """));
        Assert.True(record.Withdrawn);
    }

    [Fact]
    public void An_OSV_record_with_only_a_CVSS_v4_vector_is_scored_from_it_and_before_its_v3_vector()
    {
        var record = VulnerabilityParser.Parse("r.json", Encoding.UTF8.GetBytes("""
            {"id":"GHSA-test-v4","modified":"2026-11-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"},
             {"type":"CVSS_V4","score":"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],"affected":[]}
            """));
        Assert.Equal((8.5, Severity.High, "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), (record.Rating.Score, record.Rating.Severity, record.Rating.Basis));
    }

    [Fact]
    public void A_CVE_record_with_a_v4_vector_but_no_base_score_is_scored_and_one_with_a_malformed_vector_stays_unscored()
    {
        static Vulnerability Cve(string vector) => VulnerabilityParser.Parse("c.json", Encoding.UTF8.GetBytes($$$$"""
            {"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2026-0002","state":"PUBLISHED"},
             "containers":{"cna":{"affected":[],"metrics":[{"cvssV4_0":{"version":"4.0","vectorString":"{{{{vector}}}}"}}]}}}
            """));
        Assert.Equal(9.3, Cve("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").Rating.Score);

        // Not scorable: unscored (the policy counts it as high), never low.
        var broken = Cve("CVSS:4.0/AV:N/AC:L/VC:H");
        Assert.Equal((null, null, "unscored"), (broken.Rating.Score, broken.Rating.Severity, broken.Rating.Basis));
        Assert.Equal(Severity.High, new Rampart.SupplyChain.Policy.SeverityPolicy(Severity.High).Of(broken));
    }
}
