using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Server.Keys;
using Rampart.Server.Updates;
using Rampart.Storage.Audit;
using Rampart.Storage.Inventory;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Storage.Updates;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;
using Rampart.Updates.Tuf;

namespace Rampart.Bench;

/// <summary>The update pipeline at fleet scale: TUF metadata with many targets, and planning a rollout to many devices.</summary>
internal static class UpdatesBench
{
    /// <summary>
    /// <c>tuf-metadata [--targets 100000]</c>: publishing a repository with that many targets (targets, snapshot
    /// and timestamp signed and written), adding one more to it, and a client's full refresh (every §5 check).
    /// </summary>
    public static async Task MetadataAsync(string[] args)
    {
        var count = new BenchArguments(args).Int("targets", 100_000);
        var directory = Temporary("tuf");
        try
        {
            using var repository = new TufRepository(directory, new KeyProtector(null), TimeProvider.System);
            await repository.InitializeAsync(CancellationToken.None);
            var targets = Enumerable.Range(0, count)
                .Select(i => new TufRepository.NewTarget($"model-{i % 100}-1.{i / 100}.0.bin", RandomNumberGenerator.GetBytes(64),
                    new System.Text.Json.Nodes.JsonObject { ["model"] = $"model-{i % 100}", ["version"] = $"1.{i / 100}.0", ["svn"] = i / 100 }))
                .ToArray();

            var clock = Stopwatch.StartNew();
            await repository.AddTargetsAsync(targets, CancellationToken.None);
            var bulk = clock.Elapsed;
            clock.Restart();
            await repository.AddTargetAsync("one-more.bin", RandomNumberGenerator.GetBytes(64), null, CancellationToken.None);
            var one = clock.Elapsed;
            var size = new FileInfo(Path.Combine(repository.MetadataDirectory, "3.targets.json")).Length;

            // A device's client with its trusted metadata on disk: the first refresh fetches and stores every role,
            // one after a restart with nothing new fetches only the root probe and the timestamp.
            var remote = new DirectoryTufRepository(Path.Combine(directory, "tuf"));
            var root = File.ReadAllBytes(Path.Combine(repository.MetadataDirectory, "1.root.json"));
            var trusted = Path.Combine(directory, "device-metadata");
            clock.Restart();
            await new TufClient(remote, new DirectoryTrustedMetadataStore(trusted), root, TimeProvider.System).RefreshAsync(CancellationToken.None);
            var refresh = clock.Elapsed;
            clock.Restart();
            await new TufClient(remote, new DirectoryTrustedMetadataStore(trusted), root, TimeProvider.System).RefreshAsync(CancellationToken.None);
            var again = clock.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tuf-metadata targets={count}: publish all {bulk.TotalSeconds:F2} s (incl. writing {count} target files); add one more {one.TotalMilliseconds:F0} ms; " +
                $"targets.json {size / 1024.0 / 1024.0:F1} MiB; client refresh (root, timestamp, snapshot, targets verified and stored) {refresh.TotalMilliseconds:F0} ms; " +
                $"after a restart with nothing new (stored snapshot and targets reused) {again.TotalMilliseconds:F0} ms"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// <c>rollout-plan [--devices 100000]</c>: creating a rollout over that many active devices (selection from
    /// the inventory, rollback checks, shuffle into waves, one transaction of device rows), then the
    /// engine's per-tick queries (counts and the next pending devices).
    /// </summary>
    public static async Task PlanAsync(string[] args)
    {
        var count = new BenchArguments(args).Int("devices", 100_000);
        var directory = Temporary("rollout");
        try
        {
            var database = new SqliteDatabase(Path.Combine(directory, "bench.db"));
            await new MigrationRunner(database).ApplyAsync();
            await FillInventoryAsync(database, count);
            var audit = new AuditLog(new SqliteAuditStore(database), new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), TimeProvider.System,
                Options.Create(new AuditOptions()), NullLogger<AuditLog>.Instance);
            await audit.StartAsync(CancellationToken.None);
            var releases = new SqliteReleaseStore(database);
            var store = new SqliteRolloutStore(database);
            var release = new Release("meter-2.0.0", "meter", "2.0.0", 5, [], "meter-2.0.0.bin", "meter-2.0.0.manifest.json", new string('0', 64), 1, null,
                ReleaseStatus.Production, "bench", DateTimeOffset.UtcNow, "a+b", DateTimeOffset.UtcNow);
            await audit.CommitAsync(async (transaction, token) => AuditedOutcome<bool>.Done(
                await releases.TryAddAsync(transaction, release, token), new AuditRecord("bench", "release.added", "release:meter-2.0.0", AuditOutcome.Success)));
            using var repository = new TufRepository(directory, new KeyProtector(null), TimeProvider.System);
            await repository.InitializeAsync(CancellationToken.None);
            await repository.AddTargetAsync("meter-2.0.0.manifest.json", [1], null, CancellationToken.None);
            using var broker = new Rampart.Mqtt.Broker.MqttBroker(new Rampart.Mqtt.Broker.BrokerOptions(), TimeProvider.System);
            var service = new RolloutService(store, releases, new SqliteDeviceStore(database), repository, audit, TimeProvider.System,
                new RolloutNotifier(broker, store, TimeProvider.System));

            var clock = Stopwatch.StartNew();
            var status = await service.CreateAsync("meter-2.0.0", "model=meter", new RolloutPolicy { CanaryPercent = 1, Steps = [10, 50, 100], RatePerMinute = 6000 },
                "bench", CancellationToken.None);
            var create = clock.Elapsed;
            clock.Restart();
            const int ticks = 20;
            for (var i = 0; i < ticks; i++)
            {
                await store.CountAsync(status.Rollout.Id, null, CancellationToken.None);
                await store.CountAsync(status.Rollout.Id, 0, CancellationToken.None);
                await store.PendingAsync(status.Rollout.Id, 0, 100, CancellationToken.None);
            }

            var tick = clock.Elapsed / ticks;
            clock.Restart();
            await service.StatusAsync(status.Rollout.Id, CancellationToken.None);
            var report = clock.Elapsed;
            await audit.StopAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rollout-plan devices={count}: create (select, check, shuffle into {status.Rollout.WaveCount} waves, store) {create.TotalSeconds:F2} s; " +
                $"per-tick queries {tick.TotalMilliseconds:F1} ms; status with per-wave counts {report.TotalMilliseconds:F0} ms; canary {status.Waves[0].Total} devices"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // Bench setup only: one transaction of inventory rows (the API adds devices one at a time).
    private static async Task FillInventoryAsync(SqliteDatabase database, int count)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO devices (id, model, site, zone, tags, state, created_ms, updated_ms) VALUES ($id, 'meter', $site, 'ot', '[]', 'active', 0, 0)";
        var id = insert.Parameters.AddWithValue("$id", string.Empty);
        var site = insert.Parameters.AddWithValue("$site", string.Empty);
        for (var i = 0; i < count; i++)
        {
            (id.Value, site.Value) = ($"meter-{i:D6}", $"site-{i % 50}");
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private static string Temporary(string name)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"rampart-bench-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return directory;
    }
}
