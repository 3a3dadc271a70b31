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
using Rampart.Posture.Zones;
using Rampart.Storage.Sqlite;

namespace Rampart.Bench;

/// <summary>
/// <c>posture-fleet [--devices 50000]</c>: a SQLite fleet of N devices (each with a device certificate, a
/// posture report and a firmware report; a tenth of them unsupported) under one registered model; times the
/// evidence load, the baseline evaluation of every device (all three standards) and a full fleet audit run
/// (load, every check, baseline snapshot, stored in its audited transaction).
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
            await new ModelRegistry(stores.DeviceModels, audit, TimeProvider.System).AddAsync(System.Text.Encoding.UTF8.GetBytes("""
                vendor: Acme
                model: Cam-2
                capabilities: { credentials: per-device-certificate, secureBoot: true, debugInterfacesDisabled: true, secureCredentialStorage: true,
                  tamperProtection: true, update: { mechanism: signed-with-rollback-protection, supportUntil: 2031-01-01 },
                  vulnerabilityDisclosure: "https://acme.example/psirt", protocols: [mqtts], listeningPorts: [443], dataCollected: [] }
                """), "bench", CancellationToken.None);
            Console.WriteLine($"posture-fleet: seeded {count} devices in {seeding.Elapsed.TotalSeconds:F1} s");

            var loader = new FleetEvidenceLoader(stores.Devices, stores.Rollouts, stores.Users, stores.FleetEvidence, stores.DeviceModels, stores.PostureReports,
                stores.Confinements, new NoVulnerabilitySource(), TimeProvider.System);
            var load = Stopwatch.StartNew();
            var evidence = await loader.LoadAsync(CancellationToken.None);
            load.Stop();
            var evaluate = Stopwatch.StartNew();
            var baseline = FleetEvaluation.Fleet(evidence);
            evaluate.Stop();
            Console.WriteLine($"posture-fleet: evidence load {load.Elapsed.TotalSeconds:F2} s; baseline evaluation of {baseline.Devices} devices x {SecurityBaselines.Of(null).Count} requirements {evaluate.Elapsed.TotalSeconds:F2} s"
                + $" (load + evaluation {(load.Elapsed + evaluate.Elapsed).TotalSeconds:F2} s); ETSI compliance {baseline.Compliance["etsi-en-303-645"]:P1}");

            var service = new FleetAuditService(loader, stores.FleetAudits, audit, () => Environment(), new FleetAuditOptions(), TimeProvider.System);
            var run = Stopwatch.StartNew();
            var (result, _) = await service.RunAsync("on-demand", "bench", CancellationToken.None);
            run.Stop();
            Console.WriteLine($"posture-fleet: fleet audit run {result.Id} over {result.Devices} devices, {AuditChecks.All.Count} checks, {result.NonCompliant} non-compliant, "
                + $"stored with its snapshot: {run.Elapsed.TotalSeconds:F2} s (includes evidence load and the baseline snapshot)");
            await audit.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
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

    private static AuditEnvironment Environment()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ca = new CertificateRequest("CN=Bench CA", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        return new AuditEnvironment(ca, ca, new Dictionary<string, ServicePermissions>(), "syslog:bench", null, ZonePolicy.Default);
    }
}
