using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>SBOMs, vulnerability records, VEX statements and the exposure snapshot, the same on every provider.</summary>
public abstract class SupplyChainStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task An_SBOM_is_stored_per_scope_replaced_and_read_back_whole()
    {
        var curl = new SbomComponent("curl", "curl", "8.3.0", "pkg:generic/curl@8.3.0", null, new Dictionary<string, string> { ["SHA-256"] = "ab" }, "haxx", ["curl"]);
        var release = new StoredSbom(SbomScope.Release("m1-1.0.0"), "aa", "CycloneDX 1.6", [curl], null, "alice", Start);
        await AuditedAsync(async t => { await Stores.Sboms.PutAsync(t, release, CancellationToken.None); return true; });
        await AuditedAsync(async t => { await Stores.Sboms.PutAsync(t, new StoredSbom(SbomScope.Model("m1"), "bb", "SPDX 2.3", [], "invalid: x", "bob", Start), CancellationToken.None); return true; });
        await AuditedAsync(async t => { await Stores.Sboms.PutAsync(t, release with { Sha256 = "cc", Components = [curl, curl with { Ref = "zlib", Name = "zlib" }] }, CancellationToken.None); return true; });

        var stored = await Stores.Sboms.GetAsync(SbomScope.Release("m1-1.0.0"), CancellationToken.None);
        Assert.Equal("cc", stored!.Sha256);
        Assert.Equal(["curl", "zlib"], stored.Components.Select(c => c.Ref));
        Assert.Equal(curl.Hashes, stored.Components[0].Hashes);
        Assert.Equal(["curl"], stored.Components[0].Licences);
        Assert.Equal("invalid: x", (await Stores.Sboms.GetAsync(SbomScope.Model("m1"), CancellationToken.None))!.Problem);
        Assert.Equal(2, (await Stores.Sboms.ListAsync(CancellationToken.None)).Count);
        Assert.Null(await Stores.Sboms.GetAsync(SbomScope.Model("m2"), CancellationToken.None));
    }

    [Fact]
    public async Task A_reimport_updates_changed_records_and_never_duplicates_one()
    {
        var records = Enumerable.Range(0, 300).Select(i => Record($"OSV-{i:D4}", "first")).ToArray();
        Assert.Equal(new VulnerabilityUpsert(300, 0, 0), await AuditedAsync(t => Stores.Vulnerabilities.UpsertAsync(t, records, CancellationToken.None)));

        var again = records.Select((r, i) => i % 3 == 0 ? r with { Summary = "changed" } : r).Append(Record("OSV-9999", "new")).ToArray();
        Assert.Equal(new VulnerabilityUpsert(1, 100, 200), await AuditedAsync(t => Stores.Vulnerabilities.UpsertAsync(t, again, CancellationToken.None)));
        Assert.Equal(301, await Stores.Vulnerabilities.CountAsync(CancellationToken.None));

        var stored = (await Stores.Vulnerabilities.ListAsync(CancellationToken.None)).ToDictionary(r => r.Id);
        Assert.Equal("changed", stored["OSV-0003"].Summary);
        Assert.Equal("first", stored["OSV-0001"].Summary);
        Assert.Equal(records[1].Affected[0].Ranges[0].Events, stored["OSV-0001"].Affected[0].Ranges[0].Events);
        Assert.Equal((9.8, Severity.Critical), (stored["OSV-0001"].Rating.Score, stored["OSV-0001"].Rating.Severity));
    }

    [Fact]
    public async Task Setting_a_scopes_VEX_statements_replaces_them_in_their_order()
    {
        VexStatement Statement(string id, VexStatus status) => new(id, ["pkg:generic/curl"], status, status == VexStatus.NotAffected ? "component_not_present" : null, null, "openvex");
        await AuditedAsync(async t => { await Stores.Vex.SetAsync(t, SbomScope.Release("r1"), [Statement("CVE-1", VexStatus.Affected), Statement("CVE-2", VexStatus.Fixed)], CancellationToken.None); return true; });
        await AuditedAsync(async t => { await Stores.Vex.SetAsync(t, SbomScope.Model("m1"), [Statement("CVE-3", VexStatus.UnderInvestigation)], CancellationToken.None); return true; });
        await AuditedAsync(async t => { await Stores.Vex.SetAsync(t, SbomScope.Release("r1"), [Statement("CVE-1", VexStatus.NotAffected)], CancellationToken.None); return true; });

        var all = await Stores.Vex.ListAsync(CancellationToken.None);
        Assert.Equal([("model:m1", "CVE-3", VexStatus.UnderInvestigation), ("release:r1", "CVE-1", VexStatus.NotAffected)],
            all.Select(v => (v.Scope.Key, v.Statement.Vulnerability, v.Statement.Status)));
        Assert.Equal("component_not_present", all[1].Statement.Justification);
    }

    [Fact]
    public async Task The_exposure_snapshot_is_replaced_whole()
    {
        await AuditedAsync(async t => { await Stores.Exposure.ReplaceAsync(t, [new ExposureMark("a", "CVE-1", "curl", "high", 3), new ExposureMark("b", "CVE-2", "zlib", "low", 1)], CancellationToken.None); return true; });
        await AuditedAsync(async t => { await Stores.Exposure.ReplaceAsync(t, [new ExposureMark("b", "CVE-2", "zlib", "low", 7)], CancellationToken.None); return true; });
        var snapshot = await Stores.Exposure.SnapshotAsync(CancellationToken.None);
        Assert.Equal(new ExposureMark("b", "CVE-2", "zlib", "low", 7), Assert.Single(snapshot).Value);
    }

    private static Vulnerability Record(string id, string summary) => new(id, "osv", ["CVE-2026-1"], summary, Start, new VulnerabilityRating(9.8, Severity.Critical, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        [new AffectedPackage("npm", "left-pad", null, null, null, [], [new OsvRange("SEMVER", null, [new OsvEvent("introduced", "0"), new OsvEvent("fixed", "1.2.0")])], ["1.0.0"], [], null)], false);
}
