using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Storage.Audit;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Storage.SupplyChain;
using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Bench;

/// <summary>
/// Issue 17's figures: 1. import N generated OSV records (files on disk → parsed → stored in SQLite in
/// audited batches of 2,000, as the node does), 2. exposure of D devices over R releases of C components
/// each, recomputed over the imported records (in memory, from what the stores hold), 3. <c>rampart sbom
/// check</c> of a 1,000-component SBOM as a child process, start included.
/// </summary>
internal static class SupplyChainBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var (records, devices, releases, components) = (arguments.Int("records", 100_000), arguments.Int("devices", 50_000), arguments.Int("releases", 200), arguments.Int("components", 500));
        var directory = Path.Combine(Path.GetTempPath(), "rampart-bench-supply-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            // 1. Import.
            var osv = Path.Combine(directory, "osv");
            Directory.CreateDirectory(osv);
            for (var i = 0; i < records; i++)
            {
                // Packages pkg0…pkg(C*4): a quarter of them appear in the releases below.
                await File.WriteAllTextAsync(Path.Combine(osv, $"BENCH-{i}.json"), $$"""
                    {"id":"BENCH-{{i}}","modified":"2026-11-01T00:00:00Z","summary":"generated","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:{{(i % 2 == 0 ? "H" : "N")}}/A:N"}],
                     "affected":[{"package":{"ecosystem":"npm","name":"pkg{{i % (components * 4)}}"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.{{i % 7}}.0"},{"fixed":"1.{{(i % 7) + 2}}.0"}]}]}]}
                    """);
            }

            var database = new SqliteDatabase(Path.Combine(directory, "bench.db"));
            await new MigrationRunner(database).ApplyAsync();
            var audit = new AuditLog(new SqliteAuditStore(database), new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), TimeProvider.System,
                Options.Create(new AuditOptions()), NullLogger<AuditLog>.Instance);
            await audit.StartAsync(CancellationToken.None);
            var store = new SqliteSupplyChainStore(database);
            var clock = Stopwatch.StartNew();
            var parsed = VulnerabilitySet.Load(osv);
            var parseSeconds = clock.Elapsed.TotalSeconds;
            foreach (var batch in parsed.Chunk(2000))
            {
                await audit.CommitAsync(async (transaction, token) => AuditedOutcome<VulnerabilityUpsert>.Done(
                    await store.UpsertAsync(transaction, batch, token), new AuditRecord("bench", "vulnerabilities.imported", "vulnerabilities", AuditOutcome.Success)));
            }

            Console.WriteLine($"import: {records} OSV records in {clock.Elapsed.TotalSeconds:F1} s (parse {parseSeconds:F1} s, store {clock.Elapsed.TotalSeconds - parseSeconds:F1} s)");
            clock.Restart();
            var reimport = new VulnerabilityUpsert(0, 0, 0);
            foreach (var batch in parsed.Chunk(2000))
            {
                reimport += (await audit.CommitAsync(async (transaction, token) => AuditedOutcome<VulnerabilityUpsert>.Done(
                    await store.UpsertAsync(transaction, batch, token), new AuditRecord("bench", "vulnerabilities.imported", "vulnerabilities", AuditOutcome.Success)))).Value;
            }

            Console.WriteLine($"re-import (store only): {clock.Elapsed.TotalSeconds:F1} s, {reimport.Unchanged} unchanged, {reimport.Added} added");

            // 2. Exposure recompute: index from the store, then the fleet.
            clock.Restart();
            var index = new VulnerabilityIndex(await ((IVulnerabilityStore)store).ListAsync(CancellationToken.None));
            var indexSeconds = clock.Elapsed.TotalSeconds;
            var picture = Fleet(devices, releases, components);
            var (items, seconds, cpuSeconds) = Timed(() => ExposureCalculator.Compute(picture, index, SeverityPolicy.Default));
            var marks = ExposureCalculator.Marks(items);
            Console.WriteLine($"exposure, first compute: {devices} devices x {releases} releases x {components} components in {seconds:F2} s ({cpuSeconds:F2} CPU-s; " +
                $"{items.Count} lines, {marks.Count} open, {index.RememberedCount} distinct component matches; reading and indexing {parsed.Count} records took {indexSeconds:F1} s more)");

            // After an import that changes 1,000 records naming 20 packages (their fixed version moves): only matches of those packages are redone.
            var changed = parsed.Where(r => int.Parse(r.Affected[0].Name![3..], System.Globalization.CultureInfo.InvariantCulture) < 20).Take(1000).Select(r => r with { Affected = [.. r.Affected.Select(a => a with { Ranges = [.. a.Ranges.Select(g => g with { Events = [g.Events[0], new OsvEvent("fixed", "1.8.0")] })] })] }).ToArray();
            clock.Restart();
            var updated = index.With(changed);
            var withSeconds = clock.Elapsed.TotalSeconds;
            var kept = updated.RememberedCount;
            (items, seconds, cpuSeconds) = Timed(() => ExposureCalculator.Compute(picture, updated, SeverityPolicy.Default));
            Console.WriteLine($"exposure, recompute after an import changing {changed.Length} records: {seconds + withSeconds:F2} s ({cpuSeconds:F2} CPU-s compute, index update {withSeconds:F2} s; " +
                $"{kept} matches kept, {updated.RememberedCount - kept} redone; {items.Count} lines, {ExposureCalculator.Marks(items).Count} open)");
            await audit.StopAsync();

            // 3. sbom check as a CI pipeline runs it.
            var sbom = Path.Combine(directory, "big.cdx.json");
            await File.WriteAllTextAsync(sbom, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[" +
                string.Join(',', Enumerable.Range(0, 1000).Select(i => $$"""{"type":"library","name":"pkg{{i}}","version":"1.{{i % 9}}.0","purl":"pkg:npm/pkg{{i}}@1.{{i % 9}}.0","bom-ref":"c{{i}}"}"""))
                + "]}");
            var rampart = Path.Combine(AppContext.BaseDirectory, "rampart.dll");
            foreach (var run in new[] { "warm-up", "measured" })
            {
                clock.Restart();
                var (exit, _) = await Rampart.Testing.RunningProcess.RunAsync("dotnet", [rampart, "sbom", "check", sbom], TimeSpan.FromMinutes(1));
                if (run == "measured")
                {
                    Console.WriteLine($"sbom check: 1000 components, process start included, in {clock.Elapsed.TotalSeconds:F2} s (exit {exit})");
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (T Result, double Seconds, double CpuSeconds) Timed<T>(Func<T> work)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = work();
        process.Refresh();
        return (result, clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    // D devices spread over R releases of 8 models, each release with C npm components (pkgN at 1.x.0).
    private static FleetPicture Fleet(int devices, int releases, int components)
    {
        var infos = Enumerable.Range(0, releases).Select(r => new ReleaseInfo($"m{r % 8}-1.0.{r}", $"m{r % 8}", $"1.0.{r}", DateTimeOffset.UnixEpoch.AddDays(r), true)).ToArray();
        var sboms = new Dictionary<SbomScope, IReadOnlyList<SbomComponent>>();
        foreach (var release in infos)
        {
            var offset = int.Parse(release.Version.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture);
            sboms[SbomScope.Release(release.Id)] = Enumerable.Range(0, components).Select(c =>
                new SbomComponent($"c{c}", $"pkg{c}", $"1.{(c + offset) % 9}.0", $"pkg:npm/pkg{c}@1.{(c + offset) % 9}.0", null, new Dictionary<string, string>(), null, [])).ToArray();
        }

        var runs = Enumerable.Range(0, devices).Select(d => new DeviceRuns($"dev-{d:D6}", infos[d % releases].Model, infos[d % releases].Id)).ToArray();
        return new FleetPicture(runs, infos, sboms, []);
    }
}
