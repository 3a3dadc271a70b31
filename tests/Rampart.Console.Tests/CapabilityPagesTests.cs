using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Posture.FleetAudit;
using Rampart.Privacy.Requests;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;

namespace Rampart.Console.Tests;

/// <summary>The exposure, posture and privacy pages: what they show, who may see them, and hostile text in them rendered inert.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CapabilityPagesTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_exposure_page_lists_a_device_s_vulnerable_components_and_shows_hostile_SBOM_names_as_text()
    {
        // 1. A model whose base SBOM names curl 8.3.0 (CVE-2023-38545) under attacker-chosen display names.
        var model = "xm-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var device = model + "-dev";
        await fixture.Get<InventoryService>().AddAsync(new NewDevice(device, Model: model), "test", CancellationToken.None);
        var components = ConsoleSecurityTests.Payloads.Select((p, i) => new { type = "library", name = p, version = "8.3.0", purl = "pkg:generic/curl@8.3.0", @ref = "c" + i })
            .Select(c => new Dictionary<string, string> { ["type"] = c.type, ["name"] = c.name, ["version"] = c.version, ["purl"] = c.purl, ["bom-ref"] = c.@ref });
        var sbom = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["bomFormat"] = "CycloneDX", ["specVersion"] = "1.5", ["version"] = 1, ["components"] = components });
        var supplyChain = fixture.Get<SupplyChainService>();
        await supplyChain.SetBaseSbomAsync(model, sbom, "test", CancellationToken.None);
        await supplyChain.ImportAsync(VulnerabilitySet.Load(Path.Combine(TestFiles.RepositoryRoot, "tests", "data", "vulns", "cve-json5")), complete: true, "test", CancellationToken.None);
        var viewer = await fixture.OperatorAsync("viewer");
        await using var session = await fixture.SignInAsync(viewer);
        var page = session.Page;

        // 2. The device's exposure, read as the viewer.
        var response = await session.GoAsync("/exposure?device=" + device);
        await session.ScreenshotAsync("exposure");
        var rows = page.Locator("#exposure tbody tr", new() { HasText = "CVE-2023-38545" });
        var texts = await page.Locator("#exposure tbody bdi.untrusted").AllTextContentsAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal(ConsoleSecurityTests.Payloads.Length, await rows.CountAsync());
        foreach (var payload in ConsoleSecurityTests.Payloads)
        {
            Assert.Contains(payload, texts);
        }

        Assert.Equal(0, await page.Locator("#exposure img, #exposure script, #exposure a[href^='javascript']").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
        session.AssertClean();
    }

    [Fact]
    public async Task The_posture_page_shows_fleet_compliance_and_risk_and_a_scoped_operator_is_refused()
    {
        var id = "pst-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await fixture.Get<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);
        // The page shows what the last fleet audit run stored (issue 22), so one runs after the device is added.
        await fixture.Get<FleetAuditService>().RunAsync("test", "test", CancellationToken.None);
        var auditor = await fixture.OperatorAsync("auditor");
        var scoped = await fixture.OperatorAsync("viewer", ["site-" + id]);

        int scopedStatus;
        await using (var narrow = await fixture.SignInAsync(scoped))
        {
            scopedStatus = (await narrow.GoAsync("/posture")).Status;
            narrow.AssertClean();
        }

        await using var session = await fixture.SignInAsync(auditor);
        var page = session.Page;
        var response = await session.GoAsync("/posture");
        await session.ScreenshotAsync("posture");

        Assert.Equal(200, response.Status);
        Assert.Equal(403, scopedStatus);
        Assert.True(int.Parse((await page.Locator("#posture-devices").TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.True(await page.Locator("#risks tbody tr").CountAsync() >= 1);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("as of the fleet audit run at");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Fleet audit");
        session.AssertClean();
    }

    [Fact]
    public async Task The_privacy_page_is_for_privacy_admins_only_and_lists_erasure_requests_as_inert_text()
    {
        var officer = await fixture.OperatorAsync("privacy-officer");
        var identity = OperatorIdentity.Of((await fixture.Get<UserService>().GetActiveAsync(officer.Name, CancellationToken.None))!);
        var hostile = ConsoleSecurityTests.Payloads[1];
        var request = await SubjectErasure.RequestAsync(fixture.Get<ApprovalService>(), hostile, identity, CancellationToken.None);
        var viewer = await fixture.OperatorAsync("viewer");
        var auditor = await fixture.OperatorAsync("auditor");

        var refused = new List<int>();
        foreach (var other in new[] { viewer, auditor })
        {
            await using var denied = await fixture.SignInAsync(other);
            refused.Add((await denied.GoAsync("/privacy")).Status);
            Assert.Equal(0, await denied.Page.GetByRole(AriaRole.Link, new() { Name = "Privacy" }).CountAsync());
            denied.AssertClean();
        }

        await using var session = await fixture.SignInAsync(officer);
        var page = session.Page;
        var response = await session.GoAsync("/privacy");
        await session.ScreenshotAsync("privacy");
        var row = page.Locator("#erasures tbody tr", new() { HasText = "#" + request.Id });

        Assert.Equal([403, 403], refused);
        Assert.Equal(200, response.Status);
        Assert.Equal(hostile, await row.Locator("bdi.untrusted").First.TextContentAsync());
        await Assertions.Expect(row.Locator(".erasure-status")).ToHaveTextAsync("pending");
        Assert.Equal(0, await page.Locator("#erasures img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
        session.AssertClean();
    }
}
