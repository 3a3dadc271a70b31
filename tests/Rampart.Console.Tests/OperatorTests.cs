using Microsoft.Playwright;

namespace Rampart.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class OperatorTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task An_administrator_invites_an_operator_who_activates_with_the_invitation_shown_once_and_signs_in()
    {
        var admin = await fixture.OperatorAsync("admin");
        var invitee = "inv-" + Guid.NewGuid().ToString("N")[..6];
        string invitation;
        await using (var session = await fixture.SignInAsync(admin))
        {
            var page = session.Page;
            await session.GoAsync("/operators");
            await page.Locator("#invite-card summary").ClickAsync();
            await page.Locator("#invite").GetByLabel("User name").FillAsync(invitee);
            await page.Locator("#invite").GetByLabel("Role").SelectOptionAsync("viewer");
            await page.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
            await Assertions.Expect(page.Locator("#invitation-token")).Not.ToBeEmptyAsync();
            invitation = (await page.Locator("#invitation-token").TextContentAsync())!;
            await session.ScreenshotAsync("operators");
            var again = await (await session.GoAsync("/operators")).TextAsync();
            Assert.DoesNotContain(invitation, again, StringComparison.Ordinal);
            session.AssertClean();
        }

        await using var newcomer = await fixture.OpenAsync();
        await newcomer.GoAsync("/setup");
        await newcomer.Page.GetByLabel("Setup token or invitation").FillAsync(invitation);
        await newcomer.Page.GetByLabel("Password").FillAsync(ConsoleFixture.Password);
        await newcomer.Page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        await newcomer.Page.WaitForURLAsync("**/signin?activated=1");
        await newcomer.SignInAsync(new OperatorAccount(invitee, null));
        await Assertions.Expect(newcomer.Page.Locator("header .role")).ToHaveTextAsync("viewer");
        newcomer.AssertClean();
    }
}
