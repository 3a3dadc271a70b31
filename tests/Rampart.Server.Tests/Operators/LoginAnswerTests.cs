using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;

namespace Rampart.Server.Tests.Operators;

/// <summary>What /api/v1/auth/login tells a caller who does not know the password: nothing about the account.</summary>
public sealed class LoginAnswerTests : NodeTestBase
{
    private const string Password = "tidal-orbit-quince-7-lantern";

    [Fact]
    public async Task A_locked_account_gets_the_same_status_and_body_as_a_wrong_password_and_an_unknown_user()
    {
        var users = Node.Node.Services.GetRequiredService<UserService>();
        foreach (var name in new[] { "bob", "carol" })
        {
            var invitation = await users.InviteAsync(name, "operator", null, null, "local-admin", CancellationToken.None);
            await users.ActivateAsync(invitation.Token, null, Password, CancellationToken.None);
        }

        // Locked straight in the store (ten real failures would wait out a minute of backoff).
        var services = Node.Node.Services;
        await services.GetRequiredService<Fleet.Audit.IAuditLog>().CommitAsync(async (transaction, cancellationToken) =>
            Fleet.Audit.AuditedOutcome<bool>.Done(
                await services.GetRequiredService<IUserStore>().RecordLoginAsync(transaction, "bob", false, 0, DateTimeOffset.UtcNow.AddHours(1), cancellationToken),
                new Fleet.Audit.AuditRecord("test", "user.locked", "user/bob", Fleet.Audit.AuditOutcome.Success)));
        using var client = Node.HttpsClient();

        var locked = await LoginAsync(client, "bob", Password);
        var wrong = await LoginAsync(client, "carol", "not-the-password!");
        var unknown = await LoginAsync(client, "nobody", Password);

        Assert.Equal(wrong, locked);
        Assert.Equal(wrong, unknown);
        Assert.DoesNotContain("lock", locked.Body, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(int Status, string Body)> LoginAsync(HttpClient client, string user, string password)
    {
        using var response = await client.PostAsJsonAsync("api/v1/auth/login", new { user, password });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        // The trace id differs per request by design; everything else must not.
        body.Remove("traceId");
        return ((int)response.StatusCode, body.ToJsonString());
    }
}
