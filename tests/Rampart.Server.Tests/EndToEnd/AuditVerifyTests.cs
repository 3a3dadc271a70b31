using Microsoft.Data.Sqlite;
using Rampart.Server.Admin;
using Rampart.Server.Setup;
using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

public sealed class AuditVerifyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("UPDATE audit_entries SET actor = 'nobody' WHERE seq = 5", 5, "edited")]
    [InlineData("DELETE FROM audit_entries WHERE seq = 5", 5, "missing")]
    [InlineData("UPDATE audit_entries SET seq = -1 WHERE seq = 5; UPDATE audit_entries SET seq = 5 WHERE seq = 6; UPDATE audit_entries SET seq = 6 WHERE seq = -1", 5, "moved")]
    [InlineData("DELETE FROM audit_entries WHERE seq > 7", 8, "truncated")]
    public async Task Audit_verify_names_the_entry_that_was_tampered_with(string tamper, long firstBad, string problem)
    {
        var data = await NodeWithEntriesAsync(rotations: 8);
        var (intactCode, intact) = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(intactCode == 0, intact);

        await TamperAsync(data, tamper);
        var (exitCode, output) = await RampartCli.RunAsync("audit", "verify", "--data", data);

        Assert.Equal(1, exitCode);
        Assert.Contains($"first bad entry {firstBad}:", output, StringComparison.Ordinal);
        Assert.Contains(problem, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_verify_against_a_key_kept_elsewhere_refuses_a_replaced_node_key()
    {
        var data = await NodeWithEntriesAsync(rotations: 2);
        var keptElsewhere = _temp.Sub("audit-key-copy.pem");
        File.Copy(Path.Combine(data, "audit-signing.pub.pem"), keptElsewhere);

        // Someone with the files replaces the node's keys and re-creates the log: with the node's
        // own copy of the public key it would verify; with the copy kept elsewhere it does not.
        File.Delete(Path.Combine(data, "keys", "audit-signing.key.pem"));
        File.Delete(Path.Combine(data, "audit-signing.pub.pem"));
        await TamperAsync(data, "DELETE FROM audit_entries; DELETE FROM audit_checkpoints;");
        await using (await TestNode.StartAsync(data))
        {
        }

        var (ownCode, _) = await RampartCli.RunAsync("audit", "verify", "--data", data);
        var (exitCode, output) = await RampartCli.RunAsync("audit", "verify", "--data", data, "--audit-key", keptElsewhere);

        Assert.Equal(0, ownCode);
        Assert.Equal(1, exitCode);
        Assert.Contains("not signed by audit key", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_verify_on_a_directory_without_a_log_says_so()
    {
        Directory.CreateDirectory(_temp.Sub("empty"));

        var (exitCode, output) = await RampartCli.RunAsync("audit", "verify", "--data", _temp.Sub("empty"));

        Assert.Equal(2, exitCode);
        Assert.Contains("no audit log", output, StringComparison.Ordinal);
    }

    private async Task<string> NodeWithEntriesAsync(int rotations)
    {
        var data = _temp.Sub("data");
        await using var node = await TestNode.StartAsync(data);
        using var client = new AdminClient(node.Node.AdminSocketPath);
        for (var i = 0; i < rotations; i++)
        {
            await client.SendAsync<SetupTokenResponse>(HttpMethod.Post, "api/v1/setup-token", CancellationToken.None);
        }

        return data;
    }

    private static async Task TamperAsync(string data, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "rampart.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DROP TRIGGER audit_entries_append_only_update; DROP TRIGGER audit_entries_append_only_delete;
            DROP TRIGGER audit_checkpoints_append_only_update; DROP TRIGGER audit_checkpoints_append_only_delete;
            """ + sql;
        await command.ExecuteNonQueryAsync();
    }
}
