using System.Text.Json;
using Rampart.Server.Tests.Storage;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.EndToEnd;

/// <summary>
/// <c>rampart serve --config FILE</c> (issue 15: one settings file for a cluster node) and
/// <c>RAMPART_CONFIG</c> for the admin commands beside it, as an operator runs them.
/// </summary>
public sealed class SettingsFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_cluster_node_runs_from_one_settings_file_and_admin_commands_find_the_node_through_RAMPART_CONFIG()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync();
        var data = _temp.Sub("node-data");
        var file = Path.Combine(_temp.Path, "node.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            Rampart = new
            {
                DataDirectory = data,
                Https = "127.0.0.1:0",
                Mqtt = "127.0.0.1:0",
                Coap = "127.0.0.1:0",
                LogFormat = "json",
                Storage = new { Provider = "postgres", ConnectionString = connectionString },
            },
        }));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Nothing on the command line but the file; a working directory without appsettings.json.
        var work = _temp.Sub("work");
        Directory.CreateDirectory(work);
        using var node = RampartCli.ServeWithout(work, new Dictionary<string, string>(), "--config", file);
        await PostgresNodes.WaitUntilReadyAsync(node);
        Assert.Contains("storage=postgres postgres://127.0.0.1:", node.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(data), "the file's data directory was not used");
        Assert.False(File.Exists(Path.Combine(data, "rampart.db")));
        Assert.DoesNotContain(PostgresNodes.PasswordOf(connectionString), node.Output, StringComparison.Ordinal);

        // An admin command with only RAMPART_CONFIG finds the same node (its data directory and admin
        // socket) and the same database.
        var (added, output) = await RunningProcess.RunAsync("dotnet", [RampartCli.Dll, "device", "add", "cfg-1", "--model", "sensor"], RampartCli.Patience,
            workingDirectory: work, environment: new Dictionary<string, string> { [Hosting.NodeConfiguration.ConfigEnvironmentVariable] = file });
        Assert.True(added == 0, output);
        Assert.Equal("registered", await PostgresNodes.ScalarAsync(connectionString, "SELECT state FROM devices WHERE id = 'cfg-1'"));

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));
    }

    [Fact]
    public async Task The_environment_and_the_command_line_beat_the_settings_file()
    {
        var data = _temp.Sub("data");
        var file = Path.Combine(_temp.Path, "layered.json");
        await File.WriteAllTextAsync(file, """{ "Rampart": { "Https": "not-an-address", "Mqtt": "127.0.0.1:0", "Coap": "127.0.0.1:0", "LogFormat": "json" } }""");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using (var node = RampartCli.ServeWithout(null, new Dictionary<string, string> { ["RAMPART__HTTPS"] = "127.0.0.1:0" }, "--data", data, "--config", file))
        {
            await RampartCli.WaitUntilReadyAsync(node);
            var readyLine = node.Output.Split('\n').First(line => line.Contains("Rampart node ready", StringComparison.Ordinal));
            using var json = JsonDocument.Parse(readyLine); // the file's LogFormat
            Assert.Equal(3001, json.RootElement.GetProperty("EventId").GetInt32());
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));
        }

        // Without the environment's fix, the file's bad address is what the node reports.
        using var refused = RampartCli.ServeWithout(null, new Dictionary<string, string>(), "--data", data, "--config", file);
        Assert.Equal(2, await refused.WaitForExitAsync(RampartCli.Patience));
        Assert.Contains("'not-an-address' is not ADDR:PORT", refused.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("not-json", "not valid JSON at line 3, position")]
    [InlineData("array", "the top level must be a JSON object")]
    [InlineData("writable-by-others", "may be written by other users (mode 666)")]
    [InlineData("directory", "is a directory")]
    public async Task A_bad_settings_file_stops_serve_with_its_reason_before_any_data_file_is_made(string kind, string reason)
    {
        var data = _temp.Sub("data-" + kind);
        var file = Path.Combine(_temp.Path, kind + ".json");
        switch (kind)
        {
            case "not-json":
                await File.WriteAllTextAsync(file, "{\n  \"Rampart\": {\n    \"Https\": 127.0.0.1:0\n  }\n}\n");
                break;
            case "array":
                await File.WriteAllTextAsync(file, """[ { "Rampart": {} } ]""");
                break;
            case "writable-by-others":
                await File.WriteAllTextAsync(file, """{ "Rampart": { "Https": "127.0.0.1:0" } }""");
                File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("666", 8));
                break;
            case "directory":
                Directory.CreateDirectory(file);
                break;
        }

        if (kind is "not-json" or "array")
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var node = RampartCli.ServeWithout(null, new Dictionary<string, string>(), "--data", data, "--https", "127.0.0.1:0", "--mqtt", "127.0.0.1:0", "--config", file);

        Assert.Equal(2, await node.WaitForExitAsync(RampartCli.Patience));
        Assert.Contains($"settings file {file}", node.Output, StringComparison.Ordinal);
        Assert.Contains(reason, node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data), "a data directory was made for a node that could not read its settings");
    }
}
