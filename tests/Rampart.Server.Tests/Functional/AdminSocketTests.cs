using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Secrets;
using Rampart.Server.Admin;
using Rampart.Server.Setup;
using Rampart.Testing;

namespace Rampart.Server.Tests.Functional;

public sealed partial class AdminSocketTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(_temp.Sub("data"));

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_new_node_shows_its_setup_token_once_on_the_console()
    {
        var matches = SetupToken().Matches(_node.Console.ToString());

        Assert.Single(matches);
        var services = _node.Node.Services;
        Assert.True(await services.GetRequiredService<SetupTokenService>().TryConsumeAsync(matches[0].Value, "test", CancellationToken.None));
    }

    [Fact]
    public async Task Rotating_over_the_admin_socket_replaces_the_token_and_audits_local_admin_with_the_peer()
    {
        var first = SetupToken().Match(_node.Console.ToString()).Value;
        using var client = new AdminClient(_node.Node.AdminSocketPath);

        var rotated = await client.SendAsync<SetupTokenResponse>(HttpMethod.Post, "api/v1/setup-token", CancellationToken.None);

        Assert.Matches(SetupToken(), rotated.Token);
        var tokens = _node.Node.Services.GetRequiredService<SetupTokenService>();
        Assert.False(await tokens.TryConsumeAsync(first, "test", CancellationToken.None));
        var last = await _node.Node.Services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None)
            .Where(e => e.Action == "setup-token.rotated").SingleAsync();
        Assert.Equal(LocalAdminConnection.Actor, last.Actor);
        Assert.Contains($"\"peer-pid\":\"{Environment.ProcessId}\"", last.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(rotated.Token, last.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_socket_answers_only_its_owner()
    {
        // The socket file is 0600 in a 0700 directory; the kernel's peer check is the second lock.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_node.Node.AdminSocketPath));
        using var client = new AdminClient(_node.Node.AdminSocketPath);

        var answer = await client.SendAsync<SetupTokenResponse>(HttpMethod.Post, "api/v1/setup-token", CancellationToken.None);

        Assert.True(SecretToken.Hash(answer.Token).Length == 32);
    }

    [Fact]
    public async Task The_node_records_its_start_with_its_listeners()
    {
        var started = await _node.Node.Services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None)
            .FirstAsync(e => e.Action == "node.started");

        Assert.Equal("node", started.Actor);
        Assert.Contains(_node.Node.HttpsUri.ToString(), started.Details, StringComparison.Ordinal);
    }

    [GeneratedRegex("rampart-setup-[A-Za-z0-9_-]{43}")]
    private static partial Regex SetupToken();
}
