using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Storage;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Issue 15, item 6: the nodes of a cluster share one TUF repository and one LMS state. A release published
/// on either node is served by both with the same bytes, versions follow one another across nodes (TUF spec
/// §5), and the LMS leaves the two nodes sign with are distinct (RFC 8554 §5.4: a one-time key signs once).
/// </summary>
public sealed class ClusterTufRepositoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Releases_published_on_two_nodes_get_consecutive_versions_distinct_LMS_leaves_and_the_same_bytes_from_both()
    {
        var first = _temp.Sub("node-a");
        var connectionString = await PostgresServer.NewDatabaseAsync();
        using var nodeA = PostgresNodes.Serve(first, connectionString);
        var (httpsA, _) = await PostgresNodes.WaitUntilReadyAsync(nodeA);
        var one = await ReleaseAsync(connectionString, first, "1.0.0");

        // The second node on a copy of the first's data directory (its keys, and its now stale TUF files).
        var second = _temp.Sub("node-b");
        var (copied, copyOutput) = await RunningProcess.RunAsync("cp", ["-a", first, second], RampartCli.Patience);
        Assert.True(copied == 0, copyOutput);

        // A version the cluster never had, left in the copy: the cluster's repository wins, the file goes.
        var stray = Path.Combine(second, "tuf", "metadata", "9.targets.json");
        await File.WriteAllTextAsync(stray, "{}");
        using var nodeB = PostgresNodes.Serve(second, connectionString);
        var (httpsB, _) = await PostgresNodes.WaitUntilReadyAsync(nodeB);
        var two = await ReleaseAsync(connectionString, second, "2.0.0");
        Assert.False(File.Exists(stray));

        // Version 1 at creation, 2 from node A, 3 from node B, which had A's version 2 before it signed its own.
        Assert.Equal(3L, await PostgresNodes.ScalarAsync(connectionString, "SELECT count(*) FROM tuf_files WHERE path LIKE 'metadata/%.targets.json'"));
        var targets = JsonNode.Parse(await FetchAsync(first, httpsB, "metadata/3.targets.json"))!["signed"]!["targets"]!.AsObject();
        Assert.Contains($"{one}.manifest.json", targets.Select(t => t.Key));
        Assert.Contains($"{two}.manifest.json", targets.Select(t => t.Key));

        // Both nodes serve the same bytes: metadata and the targets published on the other node.
        foreach (var path in new[] { "metadata/timestamp.json", "metadata/3.targets.json", "metadata/2.targets.json", "metadata/1.root.json" })
        {
            Assert.Equal(await FetchAsync(first, httpsA, path), await FetchAsync(first, httpsB, path));
        }

        var manifests = new List<string>();
        foreach (var release in new[] { one, two })
        {
            var sha256 = targets[$"{release}.manifest.json"]!["hashes"]!["sha256"]!.GetValue<string>();
            var fromA = await FetchAsync(first, httpsA, $"targets/{sha256}.{release}.manifest.json");
            Assert.Equal(fromA, await FetchAsync(first, httpsB, $"targets/{sha256}.{release}.manifest.json"));
            manifests.Add(fromA);
        }

        // HSS with one level (RFC 8554 §6.2): u32str(0) || u32str(q) || …; the leaves were handed out once.
        var leaves = manifests.Select(m => BinaryPrimitives.ReadUInt32BigEndian(Convert.FromHexString(JsonNode.Parse(m)!["signatures"]!["lms"]!.GetValue<string>()).AsSpan(4))).ToArray();
        Assert.Equal([0u, 1u], leaves);
        Assert.Equal(2L, await PostgresNodes.ScalarAsync(connectionString, "SELECT next_leaf FROM lms_state"));

        nodeB.Terminate();
        nodeA.Terminate();
        Assert.Equal(0, await nodeB.WaitForExitAsync(RampartCli.Patience));
        Assert.Equal(0, await nodeA.WaitForExitAsync(RampartCli.Patience));
    }

    // rampart release add through the node on data; returns the release id.
    private async Task<string> ReleaseAsync(string connectionString, string data, string version)
    {
        var image = _temp.Sub($"gateway-{version}.bin");
        await File.WriteAllBytesAsync(image, RandomNumberGenerator.GetBytes(4096));
        var (added, output) = await PostgresNodes.RunCliAsync(connectionString, "release", "add", image, "--model", "gateway", "--version", version, "--svn", "1", "--data", data);
        Assert.True(added == 0, output);
        return $"gateway-{version}";
    }

    private static async Task<string> FetchAsync(string data, Uri https, string path)
    {
        var (exit, output) = await RunningProcess.RunAsync("curl", ["-sSf", "--cacert", Path.Combine(data, "ca-root.crt.pem"), new Uri(https, $"tuf/{path}").ToString()], RampartCli.Patience);
        Assert.True(exit == 0, $"{path}: {output}");
        return output;
    }
}
