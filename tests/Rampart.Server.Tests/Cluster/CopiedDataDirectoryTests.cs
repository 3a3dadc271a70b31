using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Storage;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Issue 15, item 6, as an operator adds a node: <c>cp -a</c> of the running first node's data directory
/// — its keys, certificates and TUF metadata, but also its lock file, its admin socket and a
/// <c>rampart.db</c> left from when it ran on SQLite — and <c>rampart serve</c> on the copy with the same
/// storage settings. The copy's SQLite state must be ignored and the node must serve the cluster's.
/// </summary>
public sealed class CopiedDataDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_node_started_on_a_plain_copy_of_a_running_nodes_data_directory_serves_the_clusters_state_not_the_copys_sqlite_file()
    {
        var first = _temp.Sub("node-a");
        var work = _temp.Sub("work");
        Directory.CreateDirectory(work);

        // The first node's SQLite past: a device that exists only in its rampart.db.
        using (var sqliteNode = RampartCli.Serve(first))
        {
            await RampartCli.WaitUntilReadyAsync(sqliteNode);
            var (added, output) = await RampartCli.RunAsync("device", "add", "only-in-sqlite", "--model", "sensor", "--data", first);
            Assert.True(added == 0, output);
            sqliteNode.Terminate();
            Assert.Equal(0, await sqliteNode.WaitForExitAsync(RampartCli.Patience));
        }

        Assert.True(File.Exists(Path.Combine(first, "rampart.db")));
        var connectionString = await PostgresServer.NewDatabaseAsync();
        using var nodeA = PostgresNodes.Serve(first, connectionString);
        await PostgresNodes.WaitUntilReadyAsync(nodeA);

        // The TUF repository of its SQLite past became the cluster's, imported once into the empty table.
        var root = await File.ReadAllBytesAsync(Path.Combine(first, "tuf", "metadata", "1.root.json"));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(root)),
            await PostgresNodes.ScalarAsync(connectionString, "SELECT sha256 FROM tuf_files WHERE path = 'metadata/1.root.json'"));
        var (registered, registerOutput) = await PostgresNodes.RunCliAsync(connectionString, "device", "add", "pg-1", "--model", "sensor", "--data", first);
        Assert.True(registered == 0, registerOutput);
        var token = PostgresNodes.BootstrapToken().Match(registerOutput).Value;

        // A plain copy while node A runs: lock file, admin socket and the SQLite file come along.
        var second = _temp.Sub("node-b");
        var (copied, copyOutput) = await RunningProcess.RunAsync("cp", ["-a", first, second], RampartCli.Patience);
        Assert.True(copied == 0, copyOutput);
        Assert.True(File.Exists(Path.Combine(second, "rampart.db")));

        using var nodeB = PostgresNodes.Serve(second, connectionString);
        var (httpsB, mqttB) = await PostgresNodes.WaitUntilReadyAsync(nodeB);

        // The device registered through A enrolls and publishes through B, under the one CA.
        var (enrolled, enrollOutput) = await PostgresNodes.EnrollAndPublishAsync(work, second, httpsB, mqttB, "pg-1", token);
        Assert.True(enrolled == 0, enrollOutput);
        Assert.Contains("pg-1.pem: OK", enrollOutput, StringComparison.Ordinal);
        Assert.Contains("published", enrollOutput, StringComparison.Ordinal);

        // B's inventory is the cluster's: pg-1 and not the copy's SQLite-only device.
        var (listed, list) = await PostgresNodes.RunCliAsync(connectionString, "device", "list", "--data", second);
        Assert.True(listed == 0, list);
        Assert.Contains("pg-1", list, StringComparison.Ordinal);
        Assert.DoesNotContain("only-in-sqlite", list, StringComparison.Ordinal);
        Assert.Equal(0L, await PostgresNodes.ScalarAsync(connectionString, "SELECT count(*) FROM devices WHERE id = 'only-in-sqlite'"));

        nodeB.Terminate();
        nodeA.Terminate();
        Assert.Equal(0, await nodeB.WaitForExitAsync(RampartCli.Patience));
        Assert.Equal(0, await nodeA.WaitForExitAsync(RampartCli.Patience));
        var (verified, verifyOutput) = await PostgresNodes.RunCliAsync(connectionString, "audit", "verify", "--data", second);
        Assert.True(verified == 0, verifyOutput);
        Assert.Contains("audit log intact", verifyOutput, StringComparison.Ordinal);
    }
}
