using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Privacy;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Subjects;
using Rampart.Storage;
using Rampart.Storage.Postgres;
using Rampart.Storage.Privacy;
using Rampart.Storage.Sqlite;
using Rampart.Testing.Servers;

namespace Rampart.Bench;

/// <summary>Privacy's storage figures (issue 19) on either provider: exporting a subject from the telemetry archive, and KEK rotation.</summary>
internal static class PrivacyArchiveBench
{
    /// <summary>
    /// <c>privacy-archive-export [--messages 1000000] [--provider sqlite|postgres]</c>: one subject with
    /// that many archived 200-byte readings in its region's store; the figure is the export (read,
    /// decrypt, write the JSON document to a file) in wall and CPU seconds.
    /// </summary>
    public static async Task ExportAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var messages = arguments.Int("messages", 1_000_000);
        await using var bench = await PrivacyBenchStores.OpenAsync(arguments.String("provider") ?? "sqlite");
        var options = new PrivacyOptions { Regions = new() { ["eu"] = new() }, Archive = new() { Families = ["telemetry"] } };
        var pseudonyms = new Pseudonyms(bench.Keys.PseudonymKey);
        var policy = new PrivacyPolicy(options, pseudonyms);
        var directory = new SubjectDirectory();
        var envelope = new Envelope(bench.Keys);
        var subjects = new SubjectService(bench.Stores.Subjects, bench.Stores.Devices, bench.Audit, envelope, pseudonyms, policy, directory);
        var pseudonym = await subjects.AddAsync("bench-subject", "eu", new Dictionary<string, string> { ["name"] = "Bench Subject" }, "bench", CancellationToken.None);
        var regions = new ArchiveRegions();
        regions.Add(await ArchiveStoreFactory.OpenAsync("eu", null, bench.Stores.Provider, bench.Directory, bench.ConnectionString, CancellationToken.None));
        var archive = new TelemetryArchive(regions, policy, directory, new SubjectKeys(bench.Stores.Subjects, envelope), options, TimeProvider.System, NullLogger<TelemetryArchive>.Instance);

        var fill = Stopwatch.StartNew();
        var dataKey = envelope.Unwrap((await bench.Stores.Subjects.GetKeyAsync(pseudonym, CancellationToken.None))!, pseudonym);
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        var payload = Encoding.UTF8.GetBytes("""{"t":21.5,"h":48,"co2":612,"lux":220,"door":"closed","window":"open","occupied":true,"battery":87,"rssi":-67,"fw":"2.4.1","seq":""" + new string('0', 40) + "}");
        const int batch = 5_000;
        for (var i = 0; i < messages; i += batch)
        {
            var rows = new List<SealedMessage>(batch);
            for (var j = i; j < Math.Min(messages, i + batch); j++)
            {
                rows.Add(ArchiveSealing.Seal(dataKey, pseudonym, "bench-device", "telemetry", start.AddMilliseconds(j * 100L), "devices/bench-device/telemetry/env", payload));
            }

            await regions.For("eu")!.AppendAsync(rows, CancellationToken.None);
        }

        fill.Stop();
        var export = new SubjectExport(subjects, new NoSecurityEvents(), TimeProvider.System, archive);
        var file = Path.Combine(bench.Directory, "export.json");
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var document = await export.ExportAsync("bench-subject", CancellationToken.None);
        await using (var output = File.Create(file))
        {
            await JsonSerializer.SerializeAsync(output, document, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }

        wall.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var exported = CountArchived(file);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"privacy-archive-export provider={bench.Stores.Provider} messages={messages} (filled in {fill.Elapsed.TotalSeconds:0.0} s): exported {exported} messages, {new FileInfo(file).Length / 1048576.0:0} MiB JSON, " +
            $"in {wall.Elapsed.TotalSeconds:0.00} s wall, {used.TotalSeconds:0.00} CPU-s ({exported / used.TotalSeconds:N0} messages per CPU-second); load average at start {string.Join(' ', load)}"));
        await regions.DisposeAsync();
    }

    /// <summary><c>privacy-kek-rotation [--subjects 100000] [--provider sqlite|postgres]</c>: re-wrap every subject's data key, with the audit log running.</summary>
    public static async Task KekRotationAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var subjects = arguments.Int("subjects", 100_000);
        await using var bench = await PrivacyBenchStores.OpenAsync(arguments.String("provider") ?? "sqlite");
        var envelope = new Envelope(bench.Keys);
        const int batch = 5_000;
        for (var start = 0; start < subjects; start += batch)
        {
            var from = start;
            await bench.Audit.CommitAsync(async (transaction, commit) =>
            {
                for (var i = from; i < Math.Min(subjects, from + batch); i++)
                {
                    var pseudonym = $"ps-bench-{i:D8}";
                    var (dataKey, wrapped) = envelope.NewDataKey(pseudonym);
                    await bench.Stores.Subjects.TryAddAsync(transaction, new StoredSubject(pseudonym, "eu", Envelope.SealWith(dataKey, Encoding.UTF8.GetBytes($"{{\"id\":\"subject {i}\"}}"), pseudonym), transaction.Now), wrapped, commit);
                }

                return AuditedOutcome<bool>.Done(true, new AuditRecord("bench", "bench.subjects-added", "bench", AuditOutcome.Success));
            });
        }

        var rotation = new KekRotation(bench.Stores.Subjects, bench.Keys, envelope, bench.Audit);
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var (version, rewrapped) = await rotation.RotateAsync("bench", CancellationToken.None);
        wall.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"privacy-kek-rotation provider={bench.Stores.Provider} subjects={subjects}: {rewrapped} keys re-wrapped to KEK {version} in {wall.Elapsed.TotalSeconds:0.00} s wall, " +
            $"{used.TotalSeconds:0.00} CPU-s of the bench process ({rewrapped / wall.Elapsed.TotalSeconds:N0} keys/s), {KekRotation.BatchSize} per audited transaction; load average at start {string.Join(' ', load)}"));
    }

    // Counts the exported archive's messages by reading the file back (what was written, not what was meant).
    private static long CountArchived(string file)
    {
        using var stream = File.OpenRead(file);
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("archive").GetArrayLength();
    }

    private sealed class NoSecurityEvents : ISecurityEventStore
    {
        public Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AppendManyAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<StoredSecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredSecurityEvent>>([]);

        public Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredSecurityEvent>>([]);

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}

/// <summary>A bench's node stores on a provider (a temporary SQLite file, or a new PostgreSQL database), with the audit log running and a keys folder.</summary>
internal sealed class PrivacyBenchStores : IAsyncDisposable
{
    private PrivacyBenchStores(string directory, NodeStores stores, AuditLog audit, KeyFolder keys, string? connectionString)
    {
        (Directory, Stores, Audit, Keys, ConnectionString) = (directory, stores, audit, keys, connectionString);
    }

    public string Directory { get; }

    public NodeStores Stores { get; }

    public AuditLog Audit { get; }

    public KeyFolder Keys { get; }

    public string? ConnectionString { get; }

    public static async Task<PrivacyBenchStores> OpenAsync(string provider)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rampart-bench-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        string? connectionString = null;
        NodeStores stores = provider switch
        {
            "sqlite" => new SqliteNodeStores(new SqliteDatabase(Path.Combine(directory, "bench.db"))),
            "postgres" => new PostgresNodeStores(new PostgresDatabase(connectionString = await PostgresServer.NewDatabaseAsync())),
            _ => throw new ArgumentException($"--provider: '{provider}' is not one of: sqlite, postgres"),
        };
        await stores.MigrateAsync(CancellationToken.None);
        var audit = new AuditLog(stores.Audit, new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), TimeProvider.System, Options.Create(new AuditOptions()), NullLogger<AuditLog>.Instance);
        await audit.StartAsync(CancellationToken.None);
        return new PrivacyBenchStores(directory, stores, audit, KeyFolder.Open(Path.Combine(directory, "keys")), connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await Audit.StopAsync();
        await Stores.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
