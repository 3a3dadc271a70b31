using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Fleet.Audit;
using Rampart.Storage.Postgres;
using Rampart.Testing.Servers;

namespace Rampart.Storage.Tests.Postgres;

/// <summary>
/// One audit chain for the cluster: several writers (each with its own connection pool, as several
/// nodes have) append at once; the chain stays one total order that verifies, and an audited
/// change decided on one node is decided once for all.
/// </summary>
public sealed class PostgresAuditClusterTests : IAsyncLifetime
{
    private const int Nodes = 4;
    private readonly AuditSigningKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private readonly List<PostgresNodeStores> _nodes = [];
    private readonly List<AuditLog> _writers = [];

    public async Task InitializeAsync()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync();
        for (var i = 0; i < Nodes; i++)
        {
            var stores = new PostgresNodeStores(new PostgresDatabase(connectionString));
            await stores.MigrateAsync(CancellationToken.None);
            var writer = new AuditLog(stores.Audit, _key, TimeProvider.System,
                Microsoft.Extensions.Options.Options.Create(new AuditOptions { CheckpointInterval = 25, MaxBatchSize = 16 }), NullLogger<AuditLog>.Instance);
            await writer.StartAsync(CancellationToken.None);
            _nodes.Add(stores);
            _writers.Add(writer);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var writer in _writers)
        {
            await writer.StopAsync();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _key.Dispose();
    }

    [Fact]
    public async Task Appends_from_several_nodes_at_once_form_one_gapless_chain_that_verifies()
    {
        const int perNode = 60;
        var appended = await Task.WhenAll(_writers.SelectMany((writer, node) => Enumerable.Range(0, perNode).Select(i =>
            writer.AppendAsync(new AuditRecord($"node-{node}", "test.appended", $"entry/{node}/{i}", AuditOutcome.Success)))));
        foreach (var writer in _writers)
        {
            await writer.StopAsync();
        }

        // Every acknowledged entry is in the store, each at its own place, and nothing else is.
        Assert.Equal(Enumerable.Range(1, Nodes * perNode).Select(i => (long)i), appended.Select(e => e.Sequence).Order());
        var stored = new List<AuditEntry>();
        await foreach (var entry in _nodes[0].Audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            stored.Add(entry);
        }

        Assert.Equal(appended.OrderBy(e => e.Sequence).Select(e => e.Hash), stored.Select(e => e.Hash));
        using var publicKey = _key.ExportPublic();
        var verification = await new AuditVerifier(publicKey).VerifyAsync(_nodes[^1].Audit);
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(Nodes * perNode, verification.EntriesVerified);
        Assert.True(verification.CheckpointsVerified >= 2, $"{verification.CheckpointsVerified} checkpoints");
    }

    [Fact]
    public async Task A_token_that_several_nodes_race_to_use_is_used_by_exactly_one()
    {
        await Audited(_writers[0], t => _nodes[0].Devices.TryAddAsync(t, Contracts.AuditChainContract<Contracts.PostgresProvider>.NewDevice("d"), CancellationToken.None));
        var now = DateTimeOffset.UtcNow;
        var token = await Audited(_writers[0], t => _nodes[0].BootstrapTokens.ReplaceForDeviceAsync(t, "d", [5], now, now.AddHours(1), CancellationToken.None));

        var used = await Task.WhenAll(Enumerable.Range(0, Nodes).Select(i =>
            Audited(_writers[i], t => _nodes[i].BootstrapTokens.TryUseAsync(t, token, now, CancellationToken.None))));

        Assert.Single(used, won => won);
    }

    private static async Task<T> Audited<T>(AuditLog writer, Func<IStoreTransaction, Task<T>> write) =>
        (await writer.CommitAsync<T>(async (transaction, _) =>
            AuditedOutcome<T>.Done(await write(transaction), new AuditRecord("test", "store.written", "cluster", AuditOutcome.Success)))).Value;
}
