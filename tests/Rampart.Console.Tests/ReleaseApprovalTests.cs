using System.Security.Cryptography;
using Microsoft.Playwright;
using Rampart.Server.Updates;
using Rampart.Updates.Releases;

namespace Rampart.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ReleaseApprovalTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_promotion_from_the_releases_page_waits_for_a_second_officer_who_approves_it_in_the_inbox()
    {
        var (sha, _) = await fixture.Get<ReleaseUploads>().StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(4096)), CancellationToken.None);
        var model = "m" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var release = await fixture.Get<ReleaseService>().AddAsync(new NewRelease(model, "1.2.0", 3, ["rev-a"], sha, null), "release-engineer", CancellationToken.None);
        var first = await fixture.OperatorAsync("security-officer");
        var second = await fixture.OperatorAsync("security-officer");

        await using (var requester = await fixture.SignInAsync(first))
        {
            var page = requester.Page;
            await requester.GoAsync("/releases");
            var row = page.Locator($"[id='release-{release.Id}']");
            await row.GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
            await page.Locator($"[id='promote-{release.Id}']").GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
            await Assertions.Expect(row.Locator(".release-status")).ToHaveTextAsync("staged, promotion awaiting approval");
            await requester.ScreenshotAsync("releases");
            await requester.GoAsync("/approvals");
            await Assertions.Expect(page.Locator("#approvals")).ToContainTextAsync("waiting for a second person");
            requester.AssertClean();
        }

        Assert.Equal(ReleaseStatus.Staged, (await fixture.Get<ReleaseService>().GetAsync(release.Id, CancellationToken.None)).Status);
        await using var approver = await fixture.SignInAsync(second);
        await approver.GoAsync("/approvals");
        await approver.ScreenshotAsync("approvals");
        var pending = approver.Page.Locator("#approvals tbody tr", new() { HasText = release.Id });
        await pending.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await approver.Page.Locator("dialog[open]").GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(pending.Locator(".approval-status")).ToContainTextAsync($"executed by {second.Name}");

        Assert.Equal(ReleaseStatus.Production, (await fixture.Get<ReleaseService>().GetAsync(release.Id, CancellationToken.None)).Status);
        approver.AssertClean();
    }
}
