using Rampart.SupplyChain.Sbom;
using Rampart.Testing;

namespace Rampart.SupplyChain.Tests.Sbom;

/// <summary>The official CycloneDX test documents of every supported version (tests/data/sbom/SOURCE.md).</summary>
public sealed class OfficialDocumentTests
{
    public static TheoryData<string> Valid() => Documents("valid-");

    public static TheoryData<string> Invalid() => Documents("invalid-");

    [Theory]
    [MemberData(nameof(Valid))]
    public void An_official_valid_CycloneDX_document_is_read(string file)
    {
        var document = SbomReader.ReadFile(TestFiles.PathOf(file));
        Assert.Equal(SbomFormat.CycloneDx, document.Format);
        Assert.Equal(Path.GetFileName(Path.GetDirectoryName(file)), document.SpecVersion);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_official_invalid_CycloneDX_document_is_refused_with_a_reason(string file)
    {
        var refusal = Assert.Throws<SbomException>(() => SbomReader.ReadFile(TestFiles.PathOf(file)));
        Assert.NotEmpty(refusal.Problems);
        Assert.All(refusal.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));
    }

    [Fact]
    public void Every_supported_version_has_valid_and_invalid_fixtures()
    {
        foreach (var version in SbomSchemas.CycloneDxVersions)
        {
            Assert.Contains(Files("valid-"), file => file.Contains($"/{version}/", StringComparison.Ordinal));
            Assert.Contains(Files("invalid-"), file => file.Contains($"/{version}/", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("sbom/spdx/SPDXJSONExample-v2.2.spdx.json", "2.2")]
    [InlineData("sbom/spdx/SPDXJSONExample-v2.3.spdx.json", "2.3")]
    public void The_official_SPDX_example_is_read_with_its_packages_purls_and_checksums(string file, string version)
    {
        var document = SbomReader.ReadFile(TestFiles.PathOf(file));
        Assert.Equal((SbomFormat.Spdx, version), (document.Format, document.SpecVersion));
        var glibc = Assert.Single(document.Components, c => c.Name == "glibc");
        Assert.Equal("2.11.1", glibc.Version);
        Assert.Equal("cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*", Assert.Single(document.Components, c => c.Cpe is not null).Cpe);
        Assert.Contains(document.Components, c => c.Purl == "pkg:maven/org.apache.jena/apache-jena@3.12.0");
        Assert.Equal(64, glibc.Hashes["SHA-256"].Length);
        Assert.Equal("Jane Doe (jane.doe@example.com)", glibc.Supplier);
    }

    private static TheoryData<string> Documents(string prefix) => new(Files(prefix));

    private static List<string> Files(string prefix)
    {
        var data = new List<string>();
        foreach (var version in SbomSchemas.CycloneDxVersions)
        {
            var directory = Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "sbom", "cyclonedx", version);
            foreach (var file in Directory.GetFiles(directory, prefix + "*.json").Order(StringComparer.Ordinal))
            {
                data.Add($"sbom/cyclonedx/{version}/{Path.GetFileName(file)}");
            }
        }

        return data;
    }
}
