using System.Text;
using Rampart.SupplyChain.Sbom;

namespace Rampart.SupplyChain.Tests.Sbom;

public sealed class SbomReaderTests
{
    [Fact]
    public void A_component_field_of_the_wrong_type_is_refused_naming_its_path()
    {
        var refusal = Refused(Bom("""{"type":"library","name":"a"},{"type":"library","name":"b","purl":7}"""));
        Assert.Contains(refusal.Problems, p => p.Path == "components[1].purl" && p.Reason.Contains("type", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Nested_components_are_flattened_with_their_purl_cpe_hashes_supplier_and_licences()
    {
        var document = SbomReader.Read(Encoding.UTF8.GetBytes(Bom("""
            {"type":"firmware","name":"os","bom-ref":"os","components":[
              {"type":"library","group":"haxx","name":"curl","version":"8.3.0","bom-ref":"curl","purl":"pkg:generic/curl@8.3.0",
               "cpe":"cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*","supplier":{"name":"curl project"},
               "hashes":[{"alg":"SHA-256","content":"AB000000000000000000000000000000000000000000000000000000000000CD"}],
               "licenses":[{"license":{"id":"curl"}}]}]}
            """)));
        Assert.Equal(["os", "curl"], document.Components.Select(c => c.Ref));
        var curl = document.Components[1];
        Assert.Equal(("haxx/curl", "8.3.0", "pkg:generic/curl@8.3.0", "curl project"), (curl.Name, curl.Version, curl.Purl, curl.Supplier));
        Assert.Equal("cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*", curl.Cpe);
        Assert.Equal("ab000000000000000000000000000000000000000000000000000000000000cd", curl.Hashes["SHA-256"]);
        Assert.Equal(["curl"], curl.Licences);
    }

    [Fact]
    public void A_duplicate_bom_ref_is_refused_naming_both_places()
    {
        var refusal = Refused(Bom("""{"type":"library","name":"a","bom-ref":"x"},{"type":"library","name":"b","components":[{"type":"library","name":"c","bom-ref":"x"}]}"""));
        var problem = Assert.Single(refusal.Problems);
        Assert.Equal("components[1].components[0].bom-ref", problem.Path);
        Assert.Contains("components[0]", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dependency_cycle_is_accepted_with_a_warning_that_names_it()
    {
        var document = SbomReader.Read(Encoding.UTF8.GetBytes(Bom(
            """{"type":"library","name":"a","bom-ref":"a"},{"type":"library","name":"b","bom-ref":"b"}""",
            ""","dependencies":[{"ref":"a","dependsOn":["b"]},{"ref":"b","dependsOn":["a"]}]""")));
        Assert.Equal(2, document.Dependencies.Count);
        Assert.Contains(document.Warnings, w => w.Contains("a -> b -> a", StringComparison.Ordinal));
    }

    [Fact]
    public void A_document_nested_deeper_than_the_limit_is_refused_before_validation()
    {
        var deep = new string('[', 200) + new string(']', 200);
        var refusal = Refused("""{"bomFormat":"CycloneDX","specVersion":"1.6","x":""" + deep + "}");
        Assert.Contains("deeper than 64", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_larger_than_the_limit_is_refused_unread()
    {
        var refusal = Assert.Throws<SbomException>(() => SbomReader.Read(new byte[2048], new SbomLimits { MaxBytes = 1024 }));
        Assert.Contains("at most 1024", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_components_are_refused()
    {
        var components = string.Join(',', Enumerable.Range(0, 11).Select(i => $$"""{"type":"library","name":"c{{i}}"}"""));
        var refusal = Assert.Throws<SbomException>(() => SbomReader.Read(Encoding.UTF8.GetBytes(Bom(components)), new SbomLimits { MaxComponents = 10 }));
        Assert.Contains("more than 10 components", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"bomFormat":"CycloneDX","specVersion":"1.1"}""", "specVersion")]
    [InlineData("""{"spdxVersion":"SPDX-3.0"}""", "spdxVersion")]
    [InlineData("""{"name":"x"}""", "")]
    [InlineData("""[1]""", "")]
    [InlineData("""{"bomFormat":""", "")]
    public void What_is_not_a_supported_SBOM_is_refused_with_the_reason(string text, string path)
    {
        var refusal = Refused(text);
        Assert.Equal(path, refusal.Problems[0].Path);
        Assert.NotEmpty(refusal.Problems[0].Reason);
    }

    [Fact]
    public void A_duplicate_SPDXID_is_refused()
    {
        var refusal = Refused("""
            {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"d","documentNamespace":"https://example.com/d",
             "creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: test"]},
             "packages":[{"SPDXID":"SPDXRef-a","name":"a","downloadLocation":"NOASSERTION"},{"SPDXID":"SPDXRef-a","name":"b","downloadLocation":"NOASSERTION"}]}
            """);
        Assert.Equal("packages[1].SPDXID", Assert.Single(refusal.Problems).Path);
    }

    [Fact]
    public void SPDX_dependency_relationships_become_edges_in_one_direction()
    {
        var document = SbomReader.Read(Encoding.UTF8.GetBytes("""
            {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"d","documentNamespace":"https://example.com/d",
             "creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: test"]},
             "packages":[{"SPDXID":"SPDXRef-a","name":"a","downloadLocation":"NOASSERTION"},{"SPDXID":"SPDXRef-b","name":"b","downloadLocation":"NOASSERTION"}],
             "relationships":[{"spdxElementId":"SPDXRef-a","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-b"},
                              {"spdxElementId":"SPDXRef-a","relationshipType":"RUNTIME_DEPENDENCY_OF","relatedSpdxElement":"SPDXRef-b"},
                              {"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}]}
            """));
        Assert.Equal([new SbomDependency("SPDXRef-a", "SPDXRef-b"), new SbomDependency("SPDXRef-b", "SPDXRef-a")], document.Dependencies);
    }

    private static SbomException Refused(string text) => Assert.Throws<SbomException>(() => SbomReader.Read(Encoding.UTF8.GetBytes(text)));

    private static string Bom(string components, string rest = "") =>
        $$"""{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{{components}}]{{rest}}}""";
}
