using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Secrets;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

public sealed class ServeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_setup_token_is_printed_on_first_start_only_and_only_its_hash_is_stored()
    {
        var data = _temp.Sub("data");
        string token;
        using (var first = RampartCli.Serve(data))
        {
            await RampartCli.WaitUntilReadyAsync(first);
            token = RampartCli.SetupToken().Match(first.Output).Value;
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(RampartCli.Patience));
        }

        using (var second = RampartCli.Serve(data))
        {
            await RampartCli.WaitUntilReadyAsync(second);
            second.Terminate();
            Assert.Equal(0, await second.WaitForExitAsync(RampartCli.Patience));
            Assert.DoesNotContain("rampart-setup-", second.Output, StringComparison.Ordinal);
        }

        Assert.Matches(RampartCli.SetupToken(), token);
        var everyFile = Directory.GetFiles(data, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".sock", StringComparison.Ordinal)).Select(File.ReadAllBytes);
        Assert.DoesNotContain(everyFile, bytes => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(token)) >= 0);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "rampart.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT token_hash FROM setup_tokens";
        Assert.Equal(SecretToken.Hash(token), (byte[])(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Sigterm_stops_the_node_cleanly_and_leaves_a_log_that_verifies_to_its_last_entry()
    {
        var data = _temp.Sub("data");
        using (var node = RampartCli.Serve(data))
        {
            await RampartCli.WaitUntilReadyAsync(node);
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));
        }

        var (exitCode, output) = await RampartCli.RunAsync("audit", "verify", "--data", data);

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"audit log intact: \d+ entries and [1-9]\d* checkpoints verified", output);
        Assert.False(File.Exists(Path.Combine(data, "admin.sock")) && Server.DataDirectory.NodeDataDirectory.IsInUse(data));
    }

    [Fact]
    public async Task A_second_serve_on_the_same_data_directory_refuses_with_a_clear_message()
    {
        var data = _temp.Sub("data");
        using var first = RampartCli.Serve(data);
        await RampartCli.WaitUntilReadyAsync(first);

        using var second = RampartCli.Serve(data);
        var exitCode = await second.WaitForExitAsync(RampartCli.Patience);

        Assert.Equal(2, exitCode);
        Assert.Contains("another Rampart node is already running on data directory", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_come_from_appsettings_then_environment_then_command_line()
    {
        var work = _temp.Sub("work");
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, "appsettings.json"),
            """{ "Rampart": { "Https": "not-an-address", "Mqtt": "127.0.0.1:0", "LogFormat": "json" } }""");
        var environment = new Dictionary<string, string> { ["RAMPART_DATA"] = _temp.Sub("from-env"), ["RAMPART__HTTPS"] = "127.0.0.1:0" };

        // The environment fixes appsettings' bad address; appsettings' JSON logs stay; RAMPART_DATA names the directory.
        using (var node = RampartCli.ServeWithout(work, environment))
        {
            await RampartCli.WaitUntilReadyAsync(node);
            var readyLine = node.Output.Split('\n').First(line => line.Contains("Rampart node ready", StringComparison.Ordinal));
            using var json = JsonDocument.Parse(readyLine);
            Assert.Equal(3001, json.RootElement.GetProperty("EventId").GetInt32());
            Assert.True(Directory.Exists(_temp.Sub("from-env")));
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));
        }

        // The command line beats the environment.
        using var refused = RampartCli.ServeWithout(work, environment, "--https", "also-bad");
        Assert.Equal(2, await refused.WaitForExitAsync(RampartCli.Patience));
        Assert.Contains("--https: 'also-bad' is not ADDR:PORT", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_an_audit_batch_size_of_zero_exits_with_the_setting_named_instead_of_spinning()
    {
        using var node = RampartCli.Serve(_temp.Sub("data"), environment: new Dictionary<string, string> { ["RAMPART__AUDIT__MAXBATCHSIZE"] = "0" });

        Assert.Equal(2, await node.WaitForExitAsync(RampartCli.Patience));
        Assert.Contains("Rampart:Audit:MaxBatchSize must be 1 to 65536 (it is 0)", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var (exitCode, output) = await RampartCli.RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("serve", output, StringComparison.Ordinal);
        Assert.Contains("audit", output, StringComparison.Ordinal);
        Assert.Contains("setup-token", output, StringComparison.Ordinal);
    }
}
