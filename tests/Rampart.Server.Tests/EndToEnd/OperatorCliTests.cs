using System.Text.RegularExpressions;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

public sealed partial class OperatorCliTests : IDisposable
{
    private const string AlicePassword = "tidal-orbit-quince-7-lantern";
    private const string BobPassword = "granite-hollow-9-meadowlark";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task From_setup_token_to_a_second_operator_over_https_and_no_secret_ever_reaches_the_logs_or_a_later_answer()
    {
        var data = _temp.Sub("data");
        using var node = RampartCli.Serve(data);
        var server = (await RampartCli.WaitUntilReadyAsync(node)).ToString();
        var ca = Path.Combine(data, "ca-root.crt.pem");
        var setup = RampartCli.SetupToken().Match(node.Output).Value;
        string Alice(string name) => Path.Combine(_temp.Path, name);

        // 1. The first administrator, on the node's host: password, then TOTP.
        var activate = await RampartCli.RunAsAsync(Alice("alice"), AlicePassword + "\n", "user", "activate", setup, "--name", "alice", "--password-stdin", "--data", data);
        Assert.True(activate.ExitCode == 0, activate.Output);
        var secret = RampartCli.TotpSecret().Match(activate.Output).Groups[1].Value;
        var confirm = await RampartCli.RunAsync("user", "confirm", setup, "--name", "alice", "--code", RampartCli.TotpCode(secret, 0), "--data", data);
        Assert.True(confirm.ExitCode == 0, confirm.Output);

        // 2. Login over HTTPS (the next code: each is accepted once), token stored owner-only.
        var login = await RampartCli.RunAsAsync(Alice("alice"), AlicePassword + "\n", "login", "--server", server, "--ca", ca, "--user", "alice", "--password-stdin", "--totp", RampartCli.TotpCode(secret, 1));
        Assert.True(login.ExitCode == 0, login.Output);
        var credentials = Path.Combine(Alice("alice"), "rampart", "credentials.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));

        // 3. Alice invites bob; bob activates remotely and logs in; bob makes an API token.
        var invite = await RampartCli.RunAsAsync(Alice("alice"), null, "user", "add", "bob", "--role", "operator", "--server", server);
        Assert.True(invite.ExitCode == 0, invite.Output);
        var invitation = RampartCli.Invitation().Match(invite.Output).Value;
        var bobActivate = await RampartCli.RunAsAsync(Alice("bob"), BobPassword + "\n", "user", "activate", invitation, "--password-stdin", "--server", server, "--ca", ca);
        Assert.Contains("user bob (operator) is active", bobActivate.Output, StringComparison.Ordinal);
        var bobLogin = await RampartCli.RunAsAsync(Alice("bob"), BobPassword + "\n", "login", "--server", server, "--ca", ca, "--user", "bob", "--password-stdin");
        Assert.True(bobLogin.ExitCode == 0, bobLogin.Output);
        var apiToken = await RampartCli.RunAsAsync(Alice("bob"), null, "token", "create", "ci", "--scope", "devices:read", "--days", "1", "--server", server);
        var token = ApiToken().Match(apiToken.Output).Value;
        var device = await RampartCli.RunAsAsync(Alice("bob"), null, "device", "add", "pump-1", "--server", server);
        var bootstrap = Bootstrap().Match(device.Output).Value;

        // 4. What each may do: bob lists with his API token; alice (admin) may not add devices.
        var list = await RampartCli.RunAsync("device", "list", "--server", server, "--token", token, "--ca", ca);
        var denied = await RampartCli.RunAsAsync(Alice("alice"), null, "device", "add", "pump-2", "--server", server);
        var users = await RampartCli.RunAsAsync(Alice("alice"), null, "user", "list", "--server", server);
        Assert.Contains("pump-1", list.Output, StringComparison.Ordinal);
        Assert.Equal(2, denied.ExitCode);
        Assert.Contains("needs the permission devices:write", denied.Output, StringComparison.Ordinal);
        Assert.Matches(@"bob\s+operator\s+active\s+no", users.Output);

        // 5. No secret in any later answer, nor in anything the node printed (the setup token banner aside).
        string[] secrets = [AlicePassword, BobPassword, secret, token, invitation, bootstrap];
        Assert.All(secrets, s => Assert.False(string.IsNullOrEmpty(s)));
        using var admin = new AdminClient(Path.Combine(data, "admin.sock"));
        var answers = string.Join("\n",
            System.Text.Json.JsonSerializer.Serialize(await admin.SendAsync<AuditPage>(HttpMethod.Get, "api/v1/audit?limit=1000", CancellationToken.None)),
            System.Text.Json.JsonSerializer.Serialize(await admin.SendAsync<SecurityEventResponse[]>(HttpMethod.Get, "api/v1/events?limit=1000", CancellationToken.None)),
            System.Text.Json.JsonSerializer.Serialize(await admin.SendAsync<UserResponse[]>(HttpMethod.Get, "api/v1/users", CancellationToken.None)));
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));
        foreach (var value in secrets)
        {
            Assert.DoesNotContain(value, answers, StringComparison.Ordinal);
            Assert.DoesNotContain(value, node.Output, StringComparison.Ordinal);
        }

        Assert.Contains("user.login", answers, StringComparison.Ordinal);
    }

    [GeneratedRegex("rampart-api-[A-Za-z0-9_-]{43}")]
    private static partial Regex ApiToken();

    [GeneratedRegex("rampart-boot-[A-Za-z0-9_-]{43}")]
    private static partial Regex Bootstrap();
}
