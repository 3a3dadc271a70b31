using Microsoft.Playwright;
using Rampart.Fleet.Operators;

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
        await newcomer.Page.WaitForURLAsync("**/signin?activated=1", ConsoleSession.Committed);
        await newcomer.SignInAsync(new OperatorAccount(invitee, null));
        await Assertions.Expect(newcomer.Page.Locator("header .role")).ToHaveTextAsync("viewer");
        newcomer.AssertClean();
    }

    [Fact]
    public async Task An_administrator_sees_a_pending_invitation_and_revokes_it_after_which_it_no_longer_activates_an_account()
    {
        var admin = await fixture.OperatorAsync("admin");
        var invitee = "pend-" + Guid.NewGuid().ToString("N")[..6];
        var invitation = await fixture.Get<UserService>().InviteAsync(invitee, "operator", ["plant-9"], null, admin.Name, CancellationToken.None);
        await using (var session = await fixture.SignInAsync(admin))
        {
            var page = session.Page;
            await session.GoAsync("/operators");
            var row = page.Locator("#invitations tbody tr", new() { HasText = invitee });
            await Assertions.Expect(row).ToContainTextAsync("operator");
            await Assertions.Expect(row).ToContainTextAsync("site plant-9");
            await Assertions.Expect(row).ToContainTextAsync(admin.Name);
            Assert.DoesNotContain(invitation.Token, await page.ContentAsync(), StringComparison.Ordinal);
            await session.ScreenshotAsync("operators-invitations");

            await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            await page.Locator("dialog[open]").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            await Assertions.Expect(page.Locator("#invitations tbody tr", new() { HasText = invitee })).ToHaveCountAsync(0);
            session.AssertClean();
        }

        var entries = await fixture.Get<Rampart.Fleet.Audit.IAuditStore>().ReadEntriesAsync(1, CancellationToken.None)
            .Where(e => e.Target == $"user/{invitee}").Select(e => (e.Action, e.Actor)).ToListAsync();
        Assert.Contains(("user.invitation-revoked", admin.Name), entries);

        await using var newcomer = await fixture.OpenAsync();
        await newcomer.GoAsync("/setup");
        await newcomer.Page.GetByLabel("Setup token or invitation").FillAsync(invitation.Token);
        await newcomer.Page.GetByLabel("Password").FillAsync(ConsoleFixture.Password);
        await newcomer.Page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        await Assertions.Expect(newcomer.Page.Locator(".form-error").First).ToContainTextAsync("unknown, used or expired invitation");
        Assert.Null(await fixture.Get<UserService>().GetActiveAsync(invitee, CancellationToken.None));
    }

    [Fact]
    public async Task An_auditor_sees_pending_invitations_without_a_revoke_button_and_gets_403_forcing_a_revocation()
    {
        var admin = await fixture.OperatorAsync("admin");
        var invitee = "aud-" + Guid.NewGuid().ToString("N")[..6];
        await fixture.Get<UserService>().InviteAsync(invitee, "viewer", null, null, admin.Name, CancellationToken.None);
        var id = (await fixture.Get<UserService>().PendingInvitationsAsync(CancellationToken.None)).Single(i => i.UserName == invitee).Id;
        var auditor = await fixture.OperatorAsync("auditor");
        await using var session = await fixture.SignInAsync(auditor);
        await session.GoAsync("/operators");

        var row = session.Page.Locator($"[id='invitation-{id}']");
        await Assertions.Expect(row).ToContainTextAsync(invitee);
        Assert.Equal(0, await row.GetByRole(AriaRole.Button).CountAsync());
        Assert.Equal(200, await session.FetchStatusAsync("/api/v1/users/invitations", "GET"));
        Assert.Equal(403, await session.FetchStatusAsync($"/api/v1/users/invitations/{id}/revoke"));
        Assert.Contains(await fixture.Get<UserService>().PendingInvitationsAsync(CancellationToken.None), i => i.Id == id);
        session.AssertClean();
    }
}
