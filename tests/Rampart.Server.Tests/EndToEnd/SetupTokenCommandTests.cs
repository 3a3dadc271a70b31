using Microsoft.Data.Sqlite;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

public sealed class SetupTokenCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Setup_token_reaches_a_running_node_over_its_admin_socket()
    {
        var data = _temp.Sub("data");
        await using var node = await TestNode.StartAsync(data);

        var (exitCode, output) = await RampartCli.RunAsync("setup-token", "--data", data);

        Assert.True(exitCode == 0, output);
        Assert.Matches(RampartCli.SetupToken(), output);
        Assert.Equal(["local-admin", "admin-socket"], await LastRotationAsync(data));
    }

    [Fact]
    public async Task Setup_token_on_a_stopped_node_works_offline_and_is_audited()
    {
        var data = _temp.Sub("data");
        await (await TestNode.StartAsync(data)).DisposeAsync();

        var (exitCode, output) = await RampartCli.RunAsync("setup-token", "--data", data);

        Assert.True(exitCode == 0, output);
        Assert.Matches(RampartCli.SetupToken(), output);
        Assert.Equal(["local-admin", "offline"], await LastRotationAsync(data));
        var (verifyCode, verify) = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(verifyCode == 0, verify);
    }

    [Fact]
    public async Task Setup_token_on_a_directory_that_was_never_served_refuses()
    {
        Directory.CreateDirectory(_temp.Sub("fresh"));

        var (exitCode, output) = await RampartCli.RunAsync("setup-token", "--data", _temp.Sub("fresh"));

        Assert.Equal(2, exitCode);
        Assert.Contains("is not a Rampart data directory", output, StringComparison.Ordinal);
    }

    private static async Task<string[]> LastRotationAsync(string data)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "rampart.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT actor, details FROM audit_entries WHERE action = 'setup-token.rotated' ORDER BY seq DESC LIMIT 1";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var channel = reader.GetString(1).Contains("\"channel\":\"offline\"", StringComparison.Ordinal) ? "offline"
            : reader.GetString(1).Contains("\"peer-pid\"", StringComparison.Ordinal) ? "admin-socket" : "unknown";
        return [reader.GetString(0), channel];
    }
}
