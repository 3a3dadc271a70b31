using System.Text;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Admin;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;

namespace Rampart.Server.Tests.SupplyChain;

public sealed class ExposureTests
{
    private static string Vulns => Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns", "cve-json5");

    [Fact]
    public async Task Devices_running_a_release_with_curl_8_3_0_are_exposed_to_CVE_2023_38545_with_the_release_that_fixes_it_and_the_import_raises_an_event()
    {
        await using var node = await SupplyChainNode.StartAsync();
        var old = await node.ReleaseAsync("1.0.0", curl: "8.3.0");
        var fixedRelease = await node.ReleaseAsync("1.1.0", curl: "8.4.0");
        await node.DevicesAsync("old", 3, "1.0.0");
        await node.DevicesAsync("new", 2, "1.1.0");

        // The operator's command: records read and checked by the CLI, stored and matched by the node.
        var import = await EndToEnd.RampartCli.RunAsync("vulns", "import", Vulns, "--data", node.Data);
        Assert.True(import.ExitCode == 0, import.Output);
        Assert.Contains("7 added", import.Output, StringComparison.Ordinal);

        using var admin = node.Admin();
        var exposure = await admin.SendAsync<ExposureResponse>(HttpMethod.Get, $"api/v1/exposure/releases/{old.Id}", CancellationToken.None);
        var curl = Assert.Single(exposure.Lines, l => l.Finding.Vulnerability == "CVE-2023-38545");
        Assert.Equal(("curl", "8.3.0", "high", "unscored", 3, fixedRelease.Id), (curl.Finding.Name, curl.Finding.Version, curl.Finding.Severity, curl.Finding.SeverityBasis, curl.Devices, curl.FixedBy));
        Assert.DoesNotContain(exposure.Lines, l => l.Finding.Vulnerability == "CVE-2020-25681");
        Assert.Empty((await admin.SendAsync<ExposureResponse>(HttpMethod.Get, $"api/v1/exposure/releases/{fixedRelease.Id}", CancellationToken.None)).Lines);
        Assert.Single((await admin.SendAsync<ExposureResponse>(HttpMethod.Get, "api/v1/exposure/devices/old-1", CancellationToken.None)).Lines);
        Assert.Empty((await admin.SendAsync<ExposureResponse>(HttpMethod.Get, "api/v1/exposure/devices/new-0", CancellationToken.None)).Lines);

        var events = await node.Get<ISecurityEventStore>().ListAsync(null, 100, CancellationToken.None);
        var opened = Assert.Single(events, e => e.Event.Kind == "supplychain.exposure.opened");
        Assert.Equal(("CVE-2023-38545", "3", SecuritySeverity.High), (opened.Event.Details["vulnerability"], opened.Event.Details["devices"], opened.Event.Severity));

        // A re-import changes nothing and raises nothing new.
        var again = await EndToEnd.RampartCli.RunAsync("vulns", "import", Vulns, "--data", node.Data);
        Assert.Contains("7 unchanged", again.Output, StringComparison.Ordinal);
        Assert.Single(await node.Get<ISecurityEventStore>().ListAsync(null, 100, CancellationToken.None), e => e.Event.Kind == "supplychain.exposure.opened");

        // The CLI shows the same, with the fixing release.
        var cli = await EndToEnd.RampartCli.RunAsync("exposure", "--model", "cam", "--data", node.Data);
        Assert.True(cli.ExitCode == 0, cli.Output);
        Assert.Contains($"3 devices (release:{old.Id}); fixed by release {fixedRelease.Id}", cli.Output, StringComparison.Ordinal);

        var devices = await admin.SendAsync<DeviceComponentResponse[]>(HttpMethod.Get, "api/v1/sbom/components?purl=pkg:generic/curl&from=8.0.0&below=8.4.0", CancellationToken.None);
        Assert.Equal(["old-0", "old-1", "old-2"], devices.Select(d => d.DeviceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_not_affected_VEX_statement_closes_the_finding_and_is_shown_with_it()
    {
        await using var node = await SupplyChainNode.StartAsync();
        var release = await node.ReleaseAsync("1.0.0", curl: "8.3.0");
        await node.DevicesAsync("d", 1, "1.0.0");
        var service = node.Get<SupplyChainService>();
        await service.ImportAsync(VulnerabilitySet.Load(Vulns), complete: true, "op", CancellationToken.None);

        using var admin = node.Admin();
        var vex = """
            {"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"cam team","timestamp":"2026-11-30T00:00:00Z","version":1,
             "statements":[{"vulnerability":{"name":"CVE-2023-38545"},"products":[{"@id":"pkg:generic/curl"}],"status":"not_affected",
                            "justification":"vulnerable_code_not_in_execute_path","impact_statement":"the firmware never uses a SOCKS5 proxy"}]}
            """;
        using var body = new StringContent(vex, Encoding.UTF8, "application/json");
        Assert.Equal(1, await admin.SendAsync<int>(HttpMethod.Put, $"api/v1/vex/releases/{release.Id}", CancellationToken.None, body));

        var exposure = await admin.SendAsync<ExposureResponse>(HttpMethod.Get, $"api/v1/exposure/releases/{release.Id}", CancellationToken.None);
        var line = Assert.Single(exposure.Lines);
        Assert.Equal((0, 1, false), (exposure.Open, exposure.Closed, line.Finding.Open));
        Assert.Equal(("not_affected", "vulnerable_code_not_in_execute_path", "the firmware never uses a SOCKS5 proxy"), (line.Finding.Vex!.Status, line.Finding.Vex.Justification, line.Finding.Vex.Detail));

        await service.RecomputeAsync("op", CancellationToken.None);
        Assert.Contains(await node.Get<ISecurityEventStore>().ListAsync(null, 100, CancellationToken.None), e => e.Event.Kind == "supplychain.exposure.closed");

        // A not_affected statement without a justification hides a finding without saying why: refused.
        using var bare = new StringContent(vex.Replace("\"justification\":\"vulnerable_code_not_in_execute_path\",\"impact_statement\":\"the firmware never uses a SOCKS5 proxy\"", "\"x\":1", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        var refusal = await Assert.ThrowsAsync<AdminCommandException>(() => admin.SendAsync<int>(HttpMethod.Put, $"api/v1/vex/releases/{release.Id}", CancellationToken.None, bare));
        Assert.Contains("justification", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(await node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync(), e => e.Action == "vex.set");
    }

    [Fact]
    public async Task An_invalid_base_SBOM_is_refused_with_its_path_and_nothing_is_stored()
    {
        await using var node = await SupplyChainNode.StartAsync();
        using var admin = node.Admin();
        using var body = new StringContent("""{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","purl":5}]}""", Encoding.UTF8, "application/json");
        var refusal = await Assert.ThrowsAsync<AdminCommandException>(() => admin.SendAsync<SbomResponse>(HttpMethod.Put, "api/v1/sbom/models/cam", CancellationToken.None, body));
        Assert.Contains("components[0].purl", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(await node.Get<Rampart.SupplyChain.Stores.ISbomStore>().ListAsync(CancellationToken.None));
    }
}
