using System.Security.Cryptography;
using Microsoft.Playwright;
using Rampart.Fleet.Inventory;
using Rampart.Posture.FleetAudit;

namespace Rampart.Console.Tests;

/// <summary>The device list's model, tag and risk filters (migration 0035's indexes), through the page's own form.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceFilterTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_device_list_filters_by_model_tag_and_the_risk_band_of_the_last_fleet_audit_run()
    {
        var inventory = fixture.Get<InventoryService>();
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var model = "gauge-" + suffix;
        var tag = "line-" + suffix;
        var ids = Enumerable.Range(0, 8).Select(i => $"flt{suffix}-{i}").ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            await inventory.AddAsync(
                new NewDevice(ids[i], Model: i < 6 ? model : "other-" + suffix, Tags: i % 2 == 0 ? [tag, "common"] : ["common"]), "test", CancellationToken.None);
        }

        // Risk is each device's band as the fleet audit run scored it, stored in that run's transaction.
        await fixture.Get<FleetAuditService>().RunAsync("test", "test", CancellationToken.None);
        var risks = await fixture.Get<IFleetAuditStore>().DeviceRisksAsync(ids, CancellationToken.None);
        Assert.Equal(ids, risks.Select(r => r.DeviceId));
        var band = risks[0].Band;

        var viewer = await fixture.OperatorAsync("viewer");
        await using var session = await fixture.SignInAsync(viewer);
        var page = session.Page;
        await session.GoAsync("/devices");
        await page.GetByLabel("Model").FillAsync(model);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync("**/devices?model=" + model);
        var ofModel = await IdsAsync(page);

        await page.GetByLabel("Tag").FillAsync(tag);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync($"**/devices?model={model}&tag={tag}");
        var ofModelAndTag = await IdsAsync(page);

        await session.GoAsync($"/devices?q=flt{suffix}");
        await page.GetByLabel("Risk").SelectOptionAsync(band);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync($"**/devices?q=flt{suffix}&risk={band}");
        var ofBand = await IdsAsync(page);
        var shownBands = await page.Locator("#devices tbody td.risk").AllTextContentsAsync();
        await session.ScreenshotAsync("devices-filtered");

        Assert.Equal(ids[..6], ofModel);
        Assert.Equal([ids[0], ids[2], ids[4]], ofModelAndTag);
        Assert.Equal(risks.Where(r => r.Band == band).Select(r => r.DeviceId), ofBand);
        Assert.All(shownBands, shown => Assert.Equal(band, shown.Trim()));

        // The overview shows the same run's posture score to an unscoped viewer.
        var snapshot = await fixture.Get<IFleetAuditStore>().LatestSnapshotAsync(CancellationToken.None);
        await session.GoAsync("/");
        await Assertions.Expect(page.Locator("#posture-score .figure")).ToHaveTextAsync(snapshot!.MeanRisk.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator($"#posture-score a[href='/devices?risk={band}']")).ToHaveTextAsync(snapshot.RiskBands[band].ToString(System.Globalization.CultureInfo.InvariantCulture));
        session.AssertClean();
    }

    [Fact]
    public async Task An_unknown_risk_band_or_an_invalid_tag_is_a_400_page_naming_the_problem_and_a_hostile_model_stays_text()
    {
        var viewer = await fixture.OperatorAsync("viewer");
        await using var session = await fixture.SignInAsync(viewer);

        var risk = await session.GoAsync("/devices?risk=severe");
        Assert.Equal(400, risk.Status);
        Assert.Contains("unknown risk band", await risk.TextAsync(), StringComparison.Ordinal);
        var tag = await session.GoAsync("/devices?tag=" + Uri.EscapeDataString("a b"));
        Assert.Equal(400, tag.Status);

        const string payload = "\"><img src=x onerror=alert(1)>";
        var hostile = await session.GoAsync("/devices?model=" + Uri.EscapeDataString(payload));
        Assert.Equal(200, hostile.Status);
        Assert.Equal(payload, await session.Page.GetByLabel("Model").InputValueAsync());
        Assert.Equal(0, await session.Page.Locator("img[src='x']").CountAsync());
        session.AssertClean();
    }

    private static async Task<string[]> IdsAsync(IPage page) =>
        [.. (await page.Locator("#devices tbody td:first-child").AllTextContentsAsync()).Select(t => t.Trim())];
}
