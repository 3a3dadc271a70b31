using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Server.Keys;
using Rampart.Server.Updates;
using Rampart.Storage;
using Rampart.Storage.Postgres;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Two nodes' repositories on one PostgreSQL publishing at the same moment: the repository lock makes each
/// publication start from the one before, so versions are consecutive and none has two contents (TUF spec §5).
/// </summary>
public sealed class ClusterTufPublishingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Two_nodes_adding_targets_at_once_publish_consecutive_versions_each_holding_every_target_before_it()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync();
        await using var storesA = new PostgresNodeStores(new PostgresDatabase(connectionString));
        await storesA.MigrateAsync(CancellationToken.None);
        await using var storesB = new PostgresNodeStores(new PostgresDatabase(connectionString));
        var a = _temp.Sub("a");
        using var nodeA = Repository(a, storesA);
        await nodeA.InitializeAsync(CancellationToken.None);

        // Node B has node A's keys (a copied keys/ directory) and no repository of its own.
        var b = _temp.Sub("b");
        Directory.CreateDirectory(b);
        var (copied, output) = await RunningProcess.RunAsync("cp", ["-a", Path.Combine(a, "keys"), Path.Combine(b, "keys")], TimeSpan.FromSeconds(30));
        Assert.True(copied == 0, output);
        using var nodeB = Repository(b, storesB);
        await nodeB.InitializeAsync(CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            (i % 2 == 0 ? nodeA : nodeB).AddTargetAsync($"fw-{i}.bin", [(byte)i], null, CancellationToken.None))));

        // Versions 1 (empty) to 11, version N listing N - 1 targets: each publication held all before it.
        var versions = await TargetsVersionsAsync(storesA);
        Assert.Equal(Enumerable.Range(1, 11).Select(v => (long)v), versions.Keys.Order());
        Assert.All(versions, version => Assert.Equal(version.Key - 1, version.Value.Count));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"fw-{i}.bin").Order(StringComparer.Ordinal), versions[11].Order(StringComparer.Ordinal));

        // Both nodes' copies are the cluster's repository, and a client accepts it.
        Assert.NotNull(await nodeB.TargetInfoAsync("fw-0.bin", CancellationToken.None));
        Assert.NotNull(await nodeA.TargetInfoAsync("fw-1.bin", CancellationToken.None));
        Assert.Null(await nodeA.CheckAsClientAsync(CancellationToken.None));
        Assert.Null(await nodeB.CheckAsClientAsync(CancellationToken.None));
    }

    private static TufRepository Repository(string data, NodeStores stores) =>
        new(data, UpdateKeys.Files(data, new KeyProtector(null)), TimeProvider.System,
            new TufClusterMirror(Path.Combine(data, "tuf"), stores.TufFiles, NullLogger<TufClusterMirror>.Instance));

    // Every stored targets version with the names it lists.
    private static async Task<Dictionary<long, List<string>>> TargetsVersionsAsync(NodeStores stores)
    {
        await using var transaction = await stores.TufFiles.BeginAsync(write: false, CancellationToken.None);
        var versions = new Dictionary<long, List<string>>();
        foreach (var path in (await transaction.ListAsync(CancellationToken.None)).Keys.Where(p => p.StartsWith("metadata/", StringComparison.Ordinal) && p.EndsWith(".targets.json", StringComparison.Ordinal)))
        {
            var signed = JsonNode.Parse(await transaction.ReadAsync(path, CancellationToken.None))!["signed"]!;
            versions[signed["version"]!.GetValue<long>()] = [.. signed["targets"]!.AsObject().Select(t => t.Key)];
        }

        return versions;
    }
}
