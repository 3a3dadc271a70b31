using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;
using Rampart.Posture.FleetAudit;
using Rampart.Server.Gateway;
using Rampart.Server.SupplyChain;
using Rampart.Server.WebConsole.Traffic;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Bench;

/// <summary>
/// <c>console-pages [--devices 50000] [--rounds 30]</c>: the web console's pages on a node whose
/// inventory holds that many devices (issue 22: ≤ 200 ms server time). Each page is fetched over
/// HTTPS on loopback with keep-alive, so the figure is the server's time plus a loopback round trip.
/// </summary>
internal static class ConsoleBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var count = arguments.Int("devices", 50_000);
        var rounds = arguments.Int("rounds", 30);
        var data = BenchNode.NewDataDirectory("console");
        try
        {
            await using var node = await BenchNode.StartAsync(data);
            await FillInventoryAsync(Path.Combine(data, "rampart.db"), count);
            await ScoreRiskAsync(node.Services, count);
            await StoreExposureAsync(node.Services, data, count);
            var token = await TokenAsync(node.Services, "bench-auditor", "auditor");
            var privacyToken = await TokenAsync(node.Services, "bench-privacy", "privacy-officer");
            using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
            {
                BaseAddress = node.HttpsUri,
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var middle = $"meter-{count / 2:D6}";
            string[] pages =
            [
                "/", "/devices", $"/devices?after={middle}", "/devices?state=quarantined", "/devices?q=meter-0425", "/devices?site=site-7",
                "/devices?state=quarantined&site=site-7", "/devices?model=model-7", "/devices?tag=batch-42", "/devices?tag=t1&state=quarantined",
                "/devices?risk=medium", "/devices?risk=critical", "/devices?risk=medium&state=quarantined", "/devices?model=model-7&tag=batch-42&risk=medium",
                $"/devices/{middle}", "/events", "/alerts", "/releases", "/approvals", "/audit", "/operators",
                "/exposure", $"/exposure?device={middle}", "/posture", "/privacy", $"/api/v1/devices/{middle}/traffic/minutes",
            ];
            foreach (var page in pages)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, page);
                if (page == "/privacy")
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", privacyToken);
                }


                var times = new List<double>(rounds);
                for (var i = 0; i < rounds + 3; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using var response = await client.SendAsync(Copy(request));
                    await response.Content.ReadAsByteArrayAsync();
                    response.EnsureSuccessStatusCode();
                    if (i >= 3)
                    {
                        times.Add(clock.Elapsed.TotalMilliseconds);
                    }
                }

                times.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"console-pages devices={count} {page,-45} median {times[times.Count / 2],6:F1} ms  p95 {times[(int)(times.Count * 0.95)],6:F1} ms  max {times[^1],6:F1} ms"));
            }

            MeasureTrafficHistory(node.Services, count);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri);
        copy.Headers.Authorization = request.Headers.Authorization;
        return copy;
    }

    // The device list's risk filter reads each device's band as the last fleet audit run stored it (migration 0035).
    private static async Task ScoreRiskAsync(IServiceProvider services, int count)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await services.GetRequiredService<FleetAuditService>().RunAsync("bench", "bench", CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"console-risk devices={count} fleet audit run (risk stored per device) {clock.Elapsed.TotalSeconds:F2} s, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2} CPU-s"));
    }

    // The exposure pages read what the recompute stored (migration 0037): each of the 20 models gets a base SBOM of 50 npm
    // components, then 2,000 generated OSV records over them are imported (complete: the recompute that stores the result).
    private static async Task StoreExposureAsync(IServiceProvider services, string data, int count)
    {
        var supplyChain = services.GetRequiredService<SupplyChainService>();
        for (var model = 0; model < 20; model++)
        {
            var components = Enumerable.Range(model * 20, 50).Select(p => new Dictionary<string, string>
            {
                ["type"] = "library", ["name"] = $"pkg{p}", ["version"] = "1.3.0", ["purl"] = $"pkg:npm/pkg{p}@1.3.0", ["bom-ref"] = $"pkg{p}",
            });
            var sbom = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["bomFormat"] = "CycloneDX", ["specVersion"] = "1.5", ["version"] = 1, ["components"] = components });
            await supplyChain.SetBaseSbomAsync($"model-{model}", sbom, "bench", CancellationToken.None);
        }

        var osv = Path.Combine(data, "osv");
        Directory.CreateDirectory(osv);
        for (var i = 0; i < 2000; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(osv, $"BENCH-{i}.json"), $$"""
                {"id":"BENCH-{{i}}","modified":"2026-11-01T00:00:00Z","summary":"generated","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:{{(i % 2 == 0 ? "H" : "N")}}/A:N"}],
                 "affected":[{"package":{"ecosystem":"npm","name":"pkg{{i % 420}}"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.{{i % 7}}.0"},{"fixed":"1.{{(i % 7) + 2}}.0"}]}]}]}
                """);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var import = await supplyChain.ImportAsync(VulnerabilitySet.Load(osv), complete: true, "bench", CancellationToken.None);
        var stamp = await services.GetRequiredService<NodeStoresView>().Exposure.ScopesAsync(CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"console-exposure devices={count} import of 2,000 records with the recompute that stores the result ({import.Exposure!.Open} open lines, {stamp.Sum(s => s.OpenLines + s.ClosedLines)} stored, {stamp.Sum(s => s.Devices)} device scopes) {clock.Elapsed.TotalSeconds:F2} s, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2} CPU-s"));
    }

    // The traffic history's cost (docs/console.md): memory per device once every device had traffic, and the CPU of a sample.
    private static void MeasureTrafficHistory(IServiceProvider services, int count)
    {
        var gateway = services.GetRequiredService<MqttGateway>();
        for (var i = 0; i < count; i++)
        {
            gateway.Traffic.For($"device:meter-{i:D6}").MessageIn(100);
        }

        // 1. A history of its own over the same counters: its first sample gives every device an entry and a ring.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var history = new TrafficHistory(gateway, TimeProvider.System);
        var (first, firstCpu) = Timed(history.Sample);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        // 2. A steady minute: every device busy again, rings already there.
        for (var i = 0; i < count; i++)
        {
            gateway.Traffic.For($"device:meter-{i:D6}").MessageIn(100);
        }

        var (steady, steadyCpu) = Timed(history.Sample);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"console-traffic devices={count} rings={history.Size.Rings} retained {(after - before) / (double)count:F0} B/device " +
            $"(ring array {DeviceTrafficRing.Minutes * DeviceTrafficRing.Series * sizeof(uint) + 24} B of it); first sample {first:F1} ms ({firstCpu:F1} ms CPU), " +
            $"steady sample {steady:F1} ms ({steadyCpu:F1} ms CPU)"));
        GC.KeepAlive(history);
    }

    private static (double Milliseconds, double CpuMilliseconds) Timed(Action action)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        return (clock.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
    }

    private static async Task<string> TokenAsync(IServiceProvider services, string name, string role)
    {
        var users = services.GetRequiredService<UserService>();
        var invitation = await users.InviteAsync(name, role, null, null, "local-admin", CancellationToken.None);
        var activation = await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        if (activation.TotpSecret is { } secret)
        {
            var code = TotpGenerator.Code(Base32.Decode(secret), TotpGenerator.StepOf(DateTimeOffset.UtcNow), System.Security.Cryptography.HashAlgorithmName.SHA1);
            await users.ConfirmAsync(invitation.Token, null, code, CancellationToken.None);
        }

        var user = await users.GetActiveAsync(name, CancellationToken.None);
        return (await services.GetRequiredService<ApiTokenService>().CreateAsync(OperatorIdentity.Of(user!), "bench", null, TimeSpan.FromHours(1), CancellationToken.None)).Token;
    }

    // Bench setup only: one transaction of inventory rows beside the running node (the API adds devices one at a time).
    private static async Task FillInventoryAsync(string database, int count)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        // 20 models, a tag every device carries and one of 100 batches (device_tags is kept by migration 0035's triggers).
        insert.CommandText = "INSERT INTO devices (id, model, site, zone, tags, state, created_ms, updated_ms) VALUES ($id, $model, $site, 'ot', $tags, $state, 0, 0)";
        var id = insert.Parameters.AddWithValue("$id", string.Empty);
        var model = insert.Parameters.AddWithValue("$model", string.Empty);
        var site = insert.Parameters.AddWithValue("$site", string.Empty);
        var tags = insert.Parameters.AddWithValue("$tags", string.Empty);
        var state = insert.Parameters.AddWithValue("$state", string.Empty);
        for (var i = 0; i < count; i++)
        {
            (id.Value, model.Value, site.Value, tags.Value, state.Value) =
                ($"meter-{i:D6}", $"model-{i % 20}", $"site-{i % 50}", $"[\"t1\",\"batch-{i % 100}\"]", i % 997 == 0 ? "quarantined" : "active");
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
