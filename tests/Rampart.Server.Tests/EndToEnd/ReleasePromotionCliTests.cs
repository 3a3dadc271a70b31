using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

/// <summary>Four-eyes promotion of a firmware release by two real security officers, each logged in over HTTPS with password and TOTP.</summary>
public sealed class ReleasePromotionCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_release_reaches_production_only_when_a_second_security_officer_approves_over_https()
    {
        var data = _temp.Sub("data");
        // This release carries no SBOM; the supply-chain gate in front of promotion has its own tests (SupplyChain/).
        using var node = RampartCli.Serve(data, environment: new Dictionary<string, string> { ["RAMPART__SUPPLYCHAIN__ENFORCEGATE"] = "false" });
        var server = (await RampartCli.WaitUntilReadyAsync(node)).ToString();
        var sam = await SecurityOfficerAsync("sam", "harbour-violet-4-juniper-kite", data, server);
        var sue = await SecurityOfficerAsync("sue", "copper-lantern-8-thistle-fjord", data, server);

        var image = _temp.Sub("fw.bin");
        await File.WriteAllBytesAsync(image, RandomNumberGenerator.GetBytes(50_000));
        var add = await RampartCli.RunAsync("release", "add", image, "--model", "valve", "--version", "3.0.0", "--svn", "4", "--data", data);
        Assert.True(add.ExitCode == 0, add.Output);

        var promote = await RampartCli.RunAsAsync(sam, null, "release", "promote", "valve-3.0.0", "--server", server);
        Assert.True(promote.ExitCode == 0, promote.Output);
        var approval = Regex.Match(promote.Output, @"approval (\d+) requested").Groups[1].Value;
        var staged = await RampartCli.RunAsAsync(sue, null, "release", "list", "--server", server);
        Assert.Matches(@"valve-3\.0\.0\s+staged", staged.Output);

        var self = await RampartCli.RunAsAsync(sam, null, "approvals", "approve", approval, "--server", server);
        Assert.Equal(2, self.ExitCode);
        Assert.Contains("you cannot decide your own request", self.Output, StringComparison.Ordinal);

        var second = await RampartCli.RunAsAsync(sue, null, "approvals", "approve", approval, "--server", server);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains($"approval {approval}: Executed — release valve-3.0.0 is in production", second.Output, StringComparison.OrdinalIgnoreCase);
        var production = await RampartCli.RunAsAsync(sue, null, "release", "show", "valve-3.0.0", "--server", server);
        Assert.Contains("promoted", production.Output, StringComparison.Ordinal);
        Assert.Contains("by sam+sue", production.Output, StringComparison.Ordinal);
    }

    // An invitation through the local socket, activation with password and TOTP, then a login over HTTPS; returns the officer's config home.
    private async Task<string> SecurityOfficerAsync(string name, string password, string data, string server)
    {
        var home = _temp.Sub("home-" + name);
        var ca = Path.Combine(data, "ca-root.crt.pem");
        var invite = await RampartCli.RunAsync("user", "add", name, "--role", "security-officer", "--data", data);
        Assert.True(invite.ExitCode == 0, invite.Output);
        var invitation = RampartCli.Invitation().Match(invite.Output).Value;
        var activate = await RampartCli.RunAsAsync(home, password + "\n", "user", "activate", invitation, "--password-stdin", "--server", server, "--ca", ca);
        Assert.True(activate.ExitCode == 0, activate.Output);
        var secret = RampartCli.TotpSecret().Match(activate.Output).Groups[1].Value;
        var confirm = await RampartCli.RunAsAsync(home, null, "user", "confirm", invitation, "--code", RampartCli.TotpCode(secret, 0), "--server", server, "--ca", ca);
        Assert.True(confirm.ExitCode == 0, confirm.Output);
        var login = await RampartCli.RunAsAsync(home, password + "\n", "login", "--server", server, "--ca", ca, "--user", name, "--password-stdin", "--totp", RampartCli.TotpCode(secret, 1));
        Assert.True(login.ExitCode == 0, login.Output);
        return home;
    }
}
