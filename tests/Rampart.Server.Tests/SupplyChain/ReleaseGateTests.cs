using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;
using Rampart.Updates.Releases;

namespace Rampart.Server.Tests.SupplyChain;

public sealed class ReleaseGateTests
{
    private static readonly Fleet.Operators.OperatorIdentity OfficerA = Updates.UpdateFleet.SecurityOfficerA;
    private static readonly Fleet.Operators.OperatorIdentity OfficerB = Updates.UpdateFleet.SecurityOfficerB;

    [Fact]
    public async Task A_release_with_an_open_high_vulnerability_is_refused_promotion_with_the_reason_then_promoted_by_a_four_eyes_override_audited_with_both_names()
    {
        await using var node = await SupplyChainNode.StartAsync();
        var vulnerable = await node.ReleaseAsync("1.0.0", curl: "8.3.0");
        var clean = await node.ReleaseAsync("1.1.0", curl: "8.4.0");
        await node.Get<SupplyChainService>().ImportAsync(VulnerabilitySet.Load(Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns", "cve-json5")), true, "op", CancellationToken.None);

        // Refused at the request (the CLI's promote), listing why.
        var promote = await EndToEnd.RampartCli.RunAsync("release", "promote", vulnerable.Id, "--data", node.Data);
        Assert.NotEqual(0, promote.ExitCode);
        Assert.Contains("CVE-2023-38545 (high, affected) in curl 8.3.0 is open without a VEX statement", promote.Output, StringComparison.Ordinal);

        // Refused again when carried out (an approval filed before the data changed is judged now).
        var approvals = node.Get<ApprovalService>();
        var sneaked = await approvals.RequestAsync("releases.promote", vulnerable.Id, "promote", OfficerA, CancellationToken.None);
        var failed = await approvals.ApproveAsync(sneaked.Id, OfficerB, CancellationToken.None);
        Assert.Equal(ApprovalStatus.Failed, failed.Status);
        Assert.Contains("release gate refuses", failed.Result, StringComparison.Ordinal);

        // A clean release passes the gate and is promoted the usual way.
        using var admin = node.Admin();
        var gate = await admin.SendAsync<GateResponse>(HttpMethod.Get, $"api/v1/releases/{clean.Id}/gate", CancellationToken.None);
        Assert.True(gate.Passed, string.Join("; ", gate.Refusals));
        var request = await approvals.RequestAsync("releases.promote", clean.Id, "promote", OfficerA, CancellationToken.None);
        Assert.Equal(ApprovalStatus.Executed, (await approvals.ApproveAsync(request.Id, OfficerB, CancellationToken.None)).Status);

        // The override needs a second person; one person cannot approve their own.
        var overriding = await approvals.RequestAsync("releases.promote-override", GateOverride.Payload(vulnerable.Id, "hotfix for a field outage; curl not reachable"), "override", OfficerA, CancellationToken.None);
        await Assert.ThrowsAsync<FleetException>(() => approvals.ApproveAsync(overriding.Id, OfficerA, CancellationToken.None));
        Assert.Equal(ApprovalStatus.Executed, (await approvals.ApproveAsync(overriding.Id, OfficerB, CancellationToken.None)).Status);

        var promoted = await node.Get<Fleet.Updates.IReleaseStore>().GetAsync(vulnerable.Id, CancellationToken.None);
        Assert.Equal((ReleaseStatus.Production, "sam+sue"), (promoted!.Status, promoted.PromotedBy));
        var entry = Assert.Single(await node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync(),
            e => e.Action == "release.promoted" && e.Target == $"release:{vulnerable.Id}");
        var details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Details)!;
        Assert.Equal(("sam", "sue", "overridden"), (details["requested-by"], details["approved-by"], details["gate"]));
        Assert.Contains("CVE-2023-38545", details["gate-refusals"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_release_whose_SBOM_is_schema_invalid_or_missing_is_refused_and_the_reason_names_the_path()
    {
        await using var node = await SupplyChainNode.StartAsync();
        var invalid = await node.ReleaseAsync("1.0.0", curl: "8.4.0", sbom: """{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"openssl","version":"3.0.13"}]}""");
        using var admin = node.Admin();
        var gate = await admin.SendAsync<GateResponse>(HttpMethod.Get, $"api/v1/releases/{invalid.Id}/gate", CancellationToken.None);
        Assert.False(gate.Passed);
        Assert.Contains(gate.Refusals, r => r.Contains("components[0]", StringComparison.Ordinal) && r.Contains("type", StringComparison.Ordinal));
        Assert.Contains(await node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync(), e => e.Action == "sbom.indexed" && e.Outcome == "failure");
    }
}
