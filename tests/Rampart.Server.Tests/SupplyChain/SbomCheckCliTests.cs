using System.Text.Json;
using Rampart.Testing;

namespace Rampart.Server.Tests.SupplyChain;

/// <summary><c>rampart sbom check</c> as a CI pipeline runs it: a process, its exit code and output; no node.</summary>
public sealed class SbomCheckCliTests
{
    private static string Data(string relative) => Path.Combine(TestFiles.RepositoryRoot, "tests", "data", relative);

    [Fact]
    public async Task Sbom_check_exits_1_with_the_finding_2_with_the_reason_and_0_when_it_passes()
    {
        using var temp = new TempDirectory();
        var sbom = temp.Sub("fw.cdx.json");
        await File.WriteAllTextAsync(sbom, """
            {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
              {"type":"library","name":"curl","version":"8.3.0","purl":"pkg:generic/curl@8.3.0","bom-ref":"curl"},
              {"type":"library","name":"dnsmasq","version":"2.85","purl":"pkg:generic/dnsmasq@2.85","bom-ref":"dnsmasq"}]}
            """);
        var vulns = Data("vulns/cve-json5");

        var violation = await EndToEnd.RampartCli.RunAsync("sbom", "check", sbom, "--vulns", vulns);
        Assert.True(violation.ExitCode == 1, violation.Output);
        Assert.Contains("FAIL high     CVE-2023-38545       curl 8.3.0 [affected]", violation.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CVE-2020-25681", violation.Output, StringComparison.Ordinal);

        var critical = await EndToEnd.RampartCli.RunAsync("sbom", "check", sbom, "--vulns", vulns, "--fail-on", "critical");
        Assert.True(critical.ExitCode == 0, critical.Output);

        // A VEX statement closes the finding; the finding is still printed with it.
        var vex = temp.Sub("vex.json");
        await File.WriteAllTextAsync(vex, """
            {"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/2","author":"a","timestamp":"2026-11-30T00:00:00Z","version":1,
             "statements":[{"vulnerability":{"name":"CVE-2023-38545"},"products":[{"@id":"pkg:generic/curl@8.3.0"}],"status":"not_affected","justification":"vulnerable_code_not_present"}]}
            """);
        var closed = await EndToEnd.RampartCli.RunAsync("sbom", "check", sbom, "--vulns", vulns, "--vex", vex, "--json");
        Assert.True(closed.ExitCode == 0, closed.Output);
        var report = JsonDocument.Parse(closed.Output).RootElement;
        var finding = Assert.Single(report.GetProperty("findings").EnumerateArray());
        Assert.Equal(("CVE-2023-38545", "not_affected", false), (finding.GetProperty("vulnerability").GetString(), finding.GetProperty("vex").GetProperty("status").GetString(), finding.GetProperty("open").GetBoolean()));

        var invalid = await EndToEnd.RampartCli.RunAsync("sbom", "check", Data("sbom/cyclonedx/1.6/invalid-component-type-1.6.json"));
        Assert.True(invalid.ExitCode == 2, invalid.Output);
        Assert.Contains("components[0].type", invalid.Output, StringComparison.Ordinal);

        foreach (var usage in new[] { new[] { "sbom", "check" }, ["sbom", "check", sbom, "--fail-on", "severe"], ["sbom", "check", sbom, "--nope"], ["sbom", "check", temp.Sub("missing.json")] })
        {
            var error = await EndToEnd.RampartCli.RunAsync(usage);
            Assert.True(error.ExitCode == 2, $"{string.Join(' ', usage)}: {error.Output}");
        }
    }

    [Theory]
    [InlineData("sbom/real/npm-interop.cdx.json", "CycloneDX 1.5")]
    [InlineData("sbom/real/npm-interop.spdx.json", "SPDX 2.3")]
    public async Task The_npm_sbom_of_the_interop_package_passes_the_check(string file, string format)
    {
        var check = await EndToEnd.RampartCli.RunAsync("sbom", "check", Data(file), "--vulns", Data("vulns"));
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains($"{format} ", check.Output, StringComparison.Ordinal);
        Assert.Contains("components, valid", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rampart_s_own_SBOM_from_the_CycloneDX_dotnet_tool_passes_the_check()
    {
        using var temp = new TempDirectory();
        var root = TestFiles.RepositoryRoot;
        var restore = await RunningProcess.RunAsync("dotnet", ["tool", "restore"], TimeSpan.FromMinutes(3), workingDirectory: root);
        Assert.True(restore.ExitCode == 0, restore.Output);
        var generate = await RunningProcess.RunAsync("dotnet", ["tool", "run", "dotnet-CycloneDX", Path.Combine(root, "src", "Rampart.Cli", "Rampart.Cli.csproj"),
            "--output", temp.Path, "--filename", "rampart.cdx.json", "--json"], TimeSpan.FromMinutes(5), workingDirectory: root);
        Assert.True(generate.ExitCode == 0, generate.Output);

        var check = await EndToEnd.RampartCli.RunAsync("sbom", "check", Path.Combine(temp.Path, "rampart.cdx.json"), "--vulns", Data("vulns"), "--json");
        Assert.True(check.ExitCode == 0, check.Output);
        var report = JsonDocument.Parse(check.Output).RootElement;
        Assert.StartsWith("CycloneDX 1.", report.GetProperty("sbom").GetString(), StringComparison.Ordinal);
        Assert.True(report.GetProperty("components").GetInt32() > 20);
    }
}
