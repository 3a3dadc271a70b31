using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Storage.Audit;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;

namespace Rampart.Bench;

/// <summary>Durable audit appends per second, and the time to verify a long chain.</summary>
internal static class AuditBench
{
    /// <summary><c>audit-append [--count 20000] [--concurrency 1,16,64 each run]</c>.</summary>
    public static async Task AppendAsync(string[] args)
    {
        var count = new BenchArguments(args).Int("count", 20_000);
        foreach (var concurrency in new[] { 1, 16, 64, 256 })
        {
            var perWriter = concurrency == 1 ? Math.Min(count, 2_000) : count / concurrency;
            await using var bench = await AuditBenchLog.CreateAsync();
            var log = bench.Writer;
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    await log.AppendAsync(new AuditRecord($"writer-{w}", "bench.append", $"item/{i}", AuditOutcome.Success));
                }
            })));
            stopwatch.Stop();
            var total = perWriter * concurrency;
            Console.WriteLine($"audit-append concurrency={concurrency,3} entries={total,6}: {total / stopwatch.Elapsed.TotalSeconds,9:F0} durable appends/s ({stopwatch.Elapsed.TotalMilliseconds / perWriter:F2} ms per caller's append)");
        }
    }

    /// <summary><c>audit-verify [--entries 1000000]</c>.</summary>
    public static async Task VerifyAsync(string[] args)
    {
        var entries = new BenchArguments(args).Int("entries", 1_000_000);
        await using var bench = await AuditBenchLog.CreateAsync();
        var fill = Stopwatch.StartNew();
        const int writers = 512;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < entries; i += writers)
            {
                await bench.Writer.AppendAsync(new AuditRecord("operator-" + (i % 7), "device.updated", $"device/d{i}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["field"] = "zone", ["value"] = "z" + (i % 13) }));
            }
        })));
        await bench.Writer.StopAsync();
        fill.Stop();
        Console.WriteLine($"audit-verify: wrote {entries} entries in {fill.Elapsed.TotalSeconds:F1} s ({entries / fill.Elapsed.TotalSeconds:F0}/s with 512 concurrent writers)");

        using var publicKey = bench.Key.ExportPublic();
        var verify = Stopwatch.StartNew();
        var result = await new AuditVerifier(publicKey).VerifyAsync(bench.Store);
        verify.Stop();
        Console.WriteLine($"audit-verify: {result.EntriesVerified} entries, {result.CheckpointsVerified} checkpoints, intact={result.IsIntact}: {verify.Elapsed.TotalSeconds:F2} s ({result.EntriesVerified / verify.Elapsed.TotalSeconds:F0} entries/s)");
    }

    private sealed class AuditBenchLog : IAsyncDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "rampart-bench-" + Guid.NewGuid().ToString("N")[..8]);

        private AuditBenchLog()
        {
            Directory.CreateDirectory(_directory);
            Database = new SqliteDatabase(Path.Combine(_directory, "bench.db"));
            Store = new SqliteAuditStore(Database);
            Key = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
            Writer = new AuditLog(Store, Key, TimeProvider.System, Options.Create(new AuditOptions()), NullLogger<AuditLog>.Instance);
        }

        public SqliteDatabase Database { get; }

        public SqliteAuditStore Store { get; }

        public AuditSigningKey Key { get; }

        public AuditLog Writer { get; }

        public static async Task<AuditBenchLog> CreateAsync()
        {
            var bench = new AuditBenchLog();
            await new MigrationRunner(bench.Database).ApplyAsync();
            await bench.Writer.StartAsync(CancellationToken.None);
            return bench;
        }

        public async ValueTask DisposeAsync()
        {
            await Writer.StopAsync();
            Key.Dispose();
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
