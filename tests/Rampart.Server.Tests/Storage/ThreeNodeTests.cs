using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Storage;

/// <summary>
/// Three <c>rampart serve</c> processes on one PostgreSQL database, started together: they migrate
/// it once, and devices added through all three at once land in one audit chain that verifies.
/// The nodes share keys the way issue 15 provisions them: each starts on a copy of the first
/// node's data directory (its SQLite file left out; the provider is postgres).
/// </summary>
public sealed class ThreeNodeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Three_nodes_starting_together_migrate_once_and_append_to_one_chain_that_verifies()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync();
        var first = _temp.Sub("node-0");
        using (var init = RampartCli.Serve(first))
        {
            // The first start (on its own SQLite file) only creates the keys the cluster will share.
            await RampartCli.WaitUntilReadyAsync(init);
            init.Terminate();
            Assert.Equal(0, await init.WaitForExitAsync(RampartCli.Patience));
        }

        string[] data = [first, _temp.Sub("node-1"), _temp.Sub("node-2")];
        foreach (var copy in data[1..])
        {
            CopyDataDirectory(first, copy);
        }

        var nodes = data.Select(directory => PostgresNodes.Serve(directory, connectionString)).ToArray();
        try
        {
            await Task.WhenAll(nodes.Select(PostgresNodes.WaitUntilReadyAsync));
            Assert.Equal((long)global::Rampart.Storage.Migrations.EmbeddedMigrations.Postgres.Count, await PostgresNodes.ScalarAsync(connectionString, "SELECT count(*) FROM schema_migrations"));

            var added = await Task.WhenAll(Enumerable.Range(0, 9).Select(i =>
                PostgresNodes.RunCliAsync(connectionString, "device", "add", $"cluster-{i}", "--data", data[i % 3])));
            Assert.All(added, result => Assert.True(result.ExitCode == 0, result.Output));
            Assert.Equal(9L, await PostgresNodes.ScalarAsync(connectionString, "SELECT count(*) FROM devices"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Terminate();
            }

            foreach (var node in nodes)
            {
                await node.WaitForExitAsync(RampartCli.Patience);
                node.Dispose();
            }
        }

        Assert.Equal(9L, await PostgresNodes.ScalarAsync(connectionString, "SELECT count(*) FROM audit_entries WHERE action = 'device.added'"));
        var (verified, output) = await PostgresNodes.RunCliAsync(connectionString, "audit", "verify", "--data", data[2]);
        Assert.True(verified == 0, output);
        Assert.Contains("audit log intact", output, StringComparison.Ordinal);
    }

    private static void CopyDataDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("rampart.db", StringComparison.Ordinal) || relative is "rampart.lock" or "admin.sock")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        // Owner-only, as the node keeps its directories (it refuses keys others can read).
        foreach (var directory in Directory.EnumerateDirectories(to, "*", SearchOption.AllDirectories).Append(to))
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
