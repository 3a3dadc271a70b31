using Microsoft.Playwright;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators.Totp;
using Rampart.Testing;

namespace Rampart.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SignInTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_first_administrator_is_created_from_the_setup_token_signs_in_with_TOTP_and_signs_out()
    {
        // A node of its own: its setup token is still unused.
        using var temp = new TempDirectory();
        var output = new StringWriter();
        await using var node = await ConsoleFixture.StartNodeAsync(temp.Sub("data"), output);
        await using var session = await fixture.OpenAsync(node);
        var page = session.Page;

        await session.GoAsync("/setup");
        await page.GetByLabel("Setup token or invitation").FillAsync(ConsoleFixture.SetupTokenIn(output.ToString()));
        await page.GetByLabel("User name").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ConsoleFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        await Assertions.Expect(page.Locator("#totp-secret")).Not.ToBeEmptyAsync();
        var secretText = await page.Locator("#totp-secret").TextContentAsync();
        var secret = Base32.Decode(secretText!);
        await session.ScreenshotAsync("setup-totp");
        await page.GetByLabel("Code from the app").FillAsync(ConsoleFixture.Code(secret, 0));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await page.WaitForURLAsync("**/signin?activated=1", ConsoleSession.Committed);

        // Without the code an administrator is refused, with the reason on the page.
        await page.GetByLabel("User name").FillAsync("alice");
        await page.GetByLabel("Password").FillAsync(ConsoleFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#signin .form-error")).Not.ToBeEmptyAsync();
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);

        await session.SignInAsync(new OperatorAccount("alice", secret));
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync("alice");
        await Assertions.Expect(page.Locator("header .role")).ToHaveTextAsync("admin");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Operators" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/signin", ConsoleSession.Committed);
        await session.GoAsync("/devices");
        Assert.Contains("/signin?return=%2Fdevices", page.Url, StringComparison.Ordinal);
        session.AssertClean();
    }

    [Fact]
    public async Task A_viewer_sees_no_action_and_is_refused_with_403_when_forcing_one()
    {
        await fixture.Get<InventoryService>().AddAsync(new NewDevice("viewer-dev-1"), "test", CancellationToken.None);
        var viewer = await fixture.OperatorAsync("viewer");
        await using var session = await fixture.SignInAsync(viewer);
        var page = session.Page;

        await session.GoAsync("/devices/viewer-dev-1");
        await Assertions.Expect(page.Locator("#device-state")).ToHaveTextAsync("registered");
        Assert.Equal(0, await page.Locator("#device-actions button").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).CountAsync());

        var forced = await session.FetchStatusAsync("/api/v1/devices/viewer-dev-1/quarantine", body: """{"reason":"forced"}""");
        var forcedRetire = await session.FetchStatusAsync("/api/v1/devices/viewer-dev-1/retire");
        var audit = await session.GoAsync("/audit");
        var operators = await session.GoAsync("/operators");

        Assert.Equal(403, forced);
        Assert.Equal(403, forcedRetire);
        Assert.Equal(403, audit.Status);
        Assert.Equal(403, operators.Status);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("users:read");
        Assert.Equal(DeviceState.Registered, (await fixture.Get<InventoryService>().GetAsync("viewer-dev-1", CancellationToken.None)).State);
        session.AssertClean();
    }

    [Fact]
    public async Task An_expired_session_sends_the_operator_back_to_sign_in()
    {
        using var temp = new TempDirectory();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await ConsoleFixture.StartNodeAsync(temp.Sub("data"), new StringWriter(),
            new Dictionary<string, string?> { ["Rampart:Operators:SessionLifetime"] = "00:30:00" }, clock);
        var account = await ConsoleFixture.OperatorAsync(node, "operator");
        await using var session = await fixture.SignInAsync(account, node);

        var before = await session.GoAsync("/devices");
        clock.Advance(TimeSpan.FromMinutes(31));
        await session.GoAsync("/devices");

        Assert.Equal(200, before.Status);
        Assert.Contains("/signin?return=%2Fdevices", session.Page.Url, StringComparison.Ordinal);
        session.AssertClean();
    }
}
