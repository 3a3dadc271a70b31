using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Playwright;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Inventory;

namespace Rampart.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsolePagesTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_overview_counts_the_scoped_fleet_by_state_and_stays_readable_on_a_narrow_window()
    {
        var site = "site-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var inventory = fixture.Get<InventoryService>();
        foreach (var id in new[] { "ov-1", "ov-2", "ov-3" }.Select(i => i + "-" + site))
        {
            await inventory.AddAsync(new NewDevice(id, Site: site), "test", CancellationToken.None);
        }

        await inventory.RetireAsync("ov-3-" + site, "test", CancellationToken.None);
        var viewer = await fixture.OperatorAsync("viewer", [site]);
        await using var session = await fixture.SignInAsync(viewer);
        var page = session.Page;

        await session.GoAsync("/");
        var states = page.Locator("dl.facts").First;
        await Assertions.Expect(states.Locator("a[href='/devices?state=registered']")).ToHaveTextAsync("2");
        await Assertions.Expect(states.Locator("a[href='/devices?state=retired']")).ToHaveTextAsync("1");
        // The posture score is the whole fleet's: a site-scoped viewer is told so instead.
        await Assertions.Expect(page.Locator("#posture-score")).ToContainTextAsync("fleet-wide only");
        await session.ScreenshotAsync("overview");

        // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip", await page.EvaluateAsync<string>("() => document.activeElement.className"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        await page.SetViewportSizeAsync(390, 800);
        await session.GoAsync("/devices?site=" + site);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the narrow page scrolls sideways");
        await session.ScreenshotAsync("devices-narrow");
        session.AssertClean();
    }

    [Fact]
    public async Task An_alert_is_acknowledged_then_resolved_from_the_queue()
    {
        var id = await RaiseAlertAsync("al-", AlertSeverity.High, "4,000 messages in a minute");
        var officer = await fixture.OperatorAsync("security-officer");
        await using var session = await fixture.SignInAsync(officer);
        var page = session.Page;
        var row = page.Locator($"#alert-{id}");

        await session.GoAsync("/alerts");
        await row.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Assertions.Expect(row.Locator(".alert-state")).ToHaveTextAsync("acknowledged");
        await session.ScreenshotAsync("alerts");
        await row.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await page.Locator($"#resolve-{id}").GetByLabel("Reason").FillAsync("rate limit raised for the firmware upload");
        await page.Locator($"#resolve-{id}").GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Assertions.Expect(row.Locator(".alert-state")).ToHaveTextAsync("resolved");

        Assert.Equal(AlertState.Resolved, (await fixture.Get<AlertService>().GetAsync(id, CancellationToken.None)).State);
        session.AssertClean();
    }

    [Fact]
    public async Task An_alert_is_suppressed_for_a_number_of_minutes_from_the_queue()
    {
        var id = await RaiseAlertAsync("sup-", AlertSeverity.Medium, "a known noisy meter");
        var officer = await fixture.OperatorAsync("security-officer");
        await using var session = await fixture.SignInAsync(officer);
        var page = session.Page;
        var row = page.Locator($"#alert-{id}");

        await session.GoAsync("/alerts");
        await row.GetByRole(AriaRole.Button, new() { Name = "Suppress" }).ClickAsync();
        await page.Locator($"#suppress-{id}").GetByLabel("Reason").FillAsync("maintenance window on line 3");
        await page.Locator($"#suppress-{id}").GetByLabel("Minutes").FillAsync("30");
        await page.Locator($"#suppress-{id}").GetByRole(AriaRole.Button, new() { Name = "Suppress" }).ClickAsync();
        await Assertions.Expect(row.Locator(".alert-state")).ToContainTextAsync("suppressed until");

        var alert = await fixture.Get<AlertService>().GetAsync(id, CancellationToken.None);
        Assert.Equal(AlertState.Suppressed, alert.State);
        Assert.InRange(alert.SuppressedUntil!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(31));
        session.AssertClean();
    }

    [Fact]
    public async Task A_new_API_token_is_shown_once_works_and_is_never_rendered_again()
    {
        var account = await fixture.OperatorAsync("operator");
        await using var session = await fixture.SignInAsync(account);
        var page = session.Page;

        await session.GoAsync("/tokens");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("ci-pipeline");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Assertions.Expect(page.Locator("#token-value")).Not.ToBeEmptyAsync();
        var token = (await page.Locator("#token-value").TextContentAsync())!;
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = fixture.Node.HttpsUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var works = await client.GetAsync("api/v1/auth/whoami");

        var again = await session.GoAsync("/tokens");
        var html = await again.TextAsync();
        await page.Locator("#tokens tbody tr", new() { HasText = "ci-pipeline" }).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.Locator("dialog[open]").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tokens tbody tr", new() { HasText = "ci-pipeline" })).ToContainTextAsync("revoked");
        var afterRevoke = await client.GetAsync("api/v1/auth/whoami");

        Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        Assert.DoesNotContain(token, html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        session.AssertClean();
    }

    [Fact]
    public async Task The_audit_page_shows_the_log_and_the_result_of_a_chain_verification()
    {
        var auditor = await fixture.OperatorAsync("auditor");
        await using var session = await fixture.SignInAsync(auditor);
        var page = session.Page;

        await session.GoAsync("/audit");
        await Assertions.Expect(page.Locator("#audit tbody")).ToContainTextAsync("user.login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the chain now" }).ClickAsync();
        await Assertions.Expect(page.Locator(".verdict-ok")).ToContainTextAsync("Chain intact");
        await session.ScreenshotAsync("audit");

        // Times: shown in the browser's zone (the context runs in Europe/Berlin, UTC+1 in December), UTC on hover, the same width.
        var time = page.Locator("#audit time").First;
        var utc = (await time.GetAttributeAsync("title"))!;
        var shown = (await time.TextContentAsync())!;
        var iso = DateTimeOffset.Parse((await time.GetAttributeAsync("datetime"))!, System.Globalization.CultureInfo.InvariantCulture);
        var berlin = TimeZoneInfo.ConvertTime(iso, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal(iso.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", utc);
        Assert.Equal(berlin.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), shown);
        Assert.Equal(utc.Length - " UTC".Length, shown.Length);
        session.AssertClean();
    }

    // An open alert on a new device of its own; returns the alert's id.
    private async Task<long> RaiseAlertAsync(string prefix, AlertSeverity severity, string summary)
    {
        var device = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await fixture.Get<InventoryService>().AddAsync(new NewDevice(device), "test", CancellationToken.None);
        var raised = await fixture.Get<AlertService>().RaiseAsync(
            [new Finding("message-flood", device, severity, summary, new Dictionary<string, string>(), DateTimeOffset.UtcNow)], CancellationToken.None);
        return raised.Single().Alert.Id;
    }
}
