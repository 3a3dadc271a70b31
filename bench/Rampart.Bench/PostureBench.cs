using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Permissions;
using Rampart.Posture.Baselines;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Procurement;
using Rampart.Posture.Reports;
using Rampart.Posture.Zones;
using Rampart.Storage.Sqlite;

namespace Rampart.Bench;

/// <summary>
/// <c>posture-fleet [--devices 50000]</c>: a SQLite fleet of N devices (each with a device certificate, a
/// posture report and a firmware report; a tenth of them unsupported) under one registered model; times the
/// evidence load (and each source alone), the baseline evaluation of every device (all three standards), a full fleet
/// audit run (load, every check, baseline snapshot, stored in its audited transaction), one device's evidence and
/// the report (gathered, rendered as HTML and as PDF), in CPU time (the machine is shared) and wall time.
/// </summary>
internal static class PostureBench
{
    public static async Task RunAsync(string[] args)
    {
        var count = new BenchArguments(args).Int("devices", 50_000);
        var directory = Path.Combine(Path.GetTempPath(), "rampart-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var database = new SqliteDatabase(Path.Combine(directory, "bench.db"));
            var stores = new SqliteNodeStores(database);
            await stores.MigrateAsync(CancellationToken.None);
            var seeding = Stopwatch.StartNew();
            await SeedAsync(database, count);
            using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var audit = new AuditLog(stores.Audit, new AuditSigningKey(signing), TimeProvider.System, Options.Create(new AuditOptions()), NullLogger<AuditLog>.Instance);
            await audit.StartAsync(CancellationToken.None);
            var registry = new ModelRegistry(stores.DeviceModels, audit, TimeProvider.System);
            await registry.AddAsync(System.Text.Encoding.UTF8.GetBytes("""
                vendor: Acme
                model: Cam-2
                capabilities: { credentials: per-device-certificate, secureBoot: true, debugInterfacesDisabled: true, secureCredentialStorage: true,
                  tamperProtection: true, update: { mechanism: signed-with-rollback-protection, supportUntil: 2031-01-01 },
                  vulnerabilityDisclosure: "https://acme.example/psirt", protocols: [mqtts], listeningPorts: [443], dataCollected: [] }
                """), "bench", CancellationToken.None);
            Console.WriteLine($"posture-fleet: seeded {count} devices in {seeding.Elapsed.TotalSeconds:F1} s");

            var loader = new FleetEvidenceLoader(stores.Devices, stores.Rollouts, stores.Users, stores.FleetEvidence, stores.DeviceModels, stores.PostureReports,
                stores.Confinements, new NoVulnerabilitySource(), TimeProvider.System);
            await Breakdown(stores);
            var (evidence, load) = await Measured.RunAsync(() => loader.LoadAsync(CancellationToken.None));
            var (baseline, evaluate) = await Measured.RunAsync(() => Task.FromResult(FleetEvaluation.Fleet(evidence)));
            Console.WriteLine($"posture-fleet: evidence load {load}; baseline evaluation of {baseline.Devices} devices x {SecurityBaselines.Of(null).Count} requirements {evaluate}"
                + $" (load + evaluation {load + evaluate}); ETSI compliance {baseline.Compliance["etsi-en-303-645"]:P1}");

            var service = new FleetAuditService(loader, stores.FleetAudits, audit, () => Environment(), new FleetAuditOptions(), TimeProvider.System);
            var ((result, _), run) = await Measured.RunAsync(() => service.RunAsync("on-demand", "bench", CancellationToken.None));
            Console.WriteLine($"posture-fleet: fleet audit run {result.Id} over {result.Devices} devices, {AuditChecks.All.Count} checks, {result.NonCompliant} non-compliant, "
                + $"stored with its snapshot: {run} (includes evidence load and the baseline snapshot)");

            var one = new DeviceEvidenceLoader(stores.Devices, stores.Rollouts, stores.DeviceEvidence, stores.DeviceModels, new NoVulnerabilitySource(), TimeProvider.System);
            var (device, single) = await Measured.RunAsync(async () => (await one.LoadAsync("device-025000", CancellationToken.None))!);
            Console.WriteLine($"posture-fleet: one device's evidence ({device.Devices.Count} device, {device.Certificates.Count} certificate subject) {single}");
            var reports = new PostureReportService(new BaselineService(loader, one, registry), service, TimeProvider.System);
            var (report, gather) = await Measured.RunAsync(() => reports.BuildAsync(30, CancellationToken.None));
            var (html, htmlCost) = await Measured.RunAsync(() => Task.FromResult(HtmlReport.Render(report)));
            var (pdf, pdfCost) = await Measured.RunAsync(() => Task.FromResult(PdfReport.Render(report)));
            Console.WriteLine($"posture-fleet: report: gathered (load, evaluation, latest run, trend) {gather}; HTML {html.Length / 1024} KiB {htmlCost}; PDF {pdf.Length / 1024} KiB {pdfCost}; "
                + $"gathered + PDF {gather + pdfCost}");
            Console.WriteLine($"posture-fleet: load average {File.ReadAllText("/proc/loadavg").Trim()}");
            await audit.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    // Each evidence source alone, to see where the load's time goes.
    private static async Task Breakdown(SqliteNodeStores stores)
    {
        var parts = new (string Name, Func<Task> Read)[]
        {
            ("inventory", async () => { string? after = null; IReadOnlyList<Fleet.Inventory.Device> page; do { page = await stores.Devices.ListAsync(new Fleet.Inventory.DeviceQuery(after, Fleet.Inventory.DeviceQuery.MaxLimit), CancellationToken.None); after = page.Count > 0 ? page[^1].Id : after; } while (page.Count == Fleet.Inventory.DeviceQuery.MaxLimit); }),
            ("certificate rows", () => stores.FleetEvidence.DeviceCertificatesAsync(CancellationToken.None)),
            ("certificate rows + key facts", async () => (await stores.FleetEvidence.DeviceCertificatesAsync(CancellationToken.None)).Select(FleetEvidenceLoader.Fact).Count()),
            ("certificate rows + key facts through X509Certificate2 (the former path)", async () => (await stores.FleetEvidence.DeviceCertificatesAsync(CancellationToken.None))
                .Select(r => { using var c = X509CertificateLoader.LoadCertificate(r.Der); return FleetEvidenceLoader.KeyOf(c); }).Count()),
            ("posture reports", () => stores.PostureReports.ListAsync(CancellationToken.None)),
            ("firmware reports", () => stores.Rollouts.ReportedFirmwareAsync(null, CancellationToken.None)),
        };
        foreach (var (name, read) in parts)
        {
            var (_, cost) = await Measured.RunAsync(async () => { await read(); return 0; });
            Console.WriteLine($"posture-fleet:   {name}: {cost}");
        }
    }

    private static async Task SeedAsync(SqliteDatabase database, int count)
    {
        // 64 real certificates reused under distinct serials and key fingerprints: every row is parsed as DER.
        var ders = Enumerable.Range(0, 64).Select(i =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var certificate = new CertificateRequest($"CN=device-{i}", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(335));
            return certificate.RawData;
        }).ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync();
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            var id = $"device-{i:D6}";
            var support = i % 10 == 0 ? "2024-01-01" : "2030-01-01";
            await Exec(connection, transaction, $"INSERT INTO devices VALUES ('{id}', 'Cam-2', 'Acme', NULL, '1.0', 'site-{i % 20}', 'zone-{i % 5}', '[]', 'active', '{support}', {now - 86_400_000L * 200}, {now})");
            await Exec(connection, transaction, "INSERT INTO certificates VALUES ($s, 'device', $id, $k, $nb, $na, NULL, NULL, $der)",
                ("$s", i.ToString("X8", System.Globalization.CultureInfo.InvariantCulture)), ("$id", id), ("$k", Convert.ToHexString(SHA256.HashData(BitConverter.GetBytes(i)))),
                ("$nb", now - 86_400_000L * 30), ("$na", now + 86_400_000L * 335), ("$der", ders[i % ders.Length]));
            await Exec(connection, transaction, $"INSERT INTO posture_reports VALUES ('{id}', '1.0', 'sha256:{i:x}', '{(i % 50 == 0 ? "[23,443]" : "[443]")}', {now})");
            await Exec(connection, transaction, $"INSERT INTO device_firmware VALUES ('{id}', '1.0', 3, {now - 86_400_000L})");
        }

        await transaction.CommitAsync();
    }

    private static async Task Exec(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string sql, params (string, object)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Wall time and the process's CPU time (all threads) of one step.</summary>
    private readonly record struct Measured(TimeSpan Wall, TimeSpan Cpu)
    {
        public static async Task<(T Value, Measured Cost)> RunAsync<T>(Func<Task<T>> step)
        {
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var value = await step();
            wall.Stop();
            process.Refresh();
            return (value, new Measured(wall.Elapsed, process.TotalProcessorTime - cpu));
        }

        public static Measured operator +(Measured a, Measured b) => new(a.Wall + b.Wall, a.Cpu + b.Cpu);

        public override string ToString() => $"{Cpu.TotalSeconds:F2} CPU-s ({Wall.TotalSeconds:F2} s wall)";
    }

    private static AuditEnvironment Environment()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ca = new CertificateRequest("CN=Bench CA", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        return new AuditEnvironment(ca, ca, new Dictionary<string, ServicePermissions>(), "syslog:bench", null, ZonePolicy.Default);
    }
}
