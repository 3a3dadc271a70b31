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
}
