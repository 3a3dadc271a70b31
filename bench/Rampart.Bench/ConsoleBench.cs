using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;
using Rampart.Server.Gateway;
using Rampart.Server.WebConsole.Traffic;

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
            var token = await AuditorTokenAsync(node.Services);
            using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
            {
                BaseAddress = node.HttpsUri,
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            string[] pages =
            [
                "/", "/devices", $"/devices?after=meter-{count / 2:D6}", "/devices?state=quarantined", "/devices?q=meter-0425", "/devices?site=site-7",
                "/devices?state=quarantined&site=site-7", $"/devices/meter-{count / 2:D6}", "/events", "/alerts", "/releases", "/audit",
                "/exposure", "/posture", $"/api/v1/devices/meter-{count / 2:D6}/traffic/minutes",
            ];
            foreach (var page in pages)
            {
                var times = new List<double>(rounds);
                for (var i = 0; i < rounds + 3; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using var response = await client.GetAsync(page);
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

    private static async Task<string> AuditorTokenAsync(IServiceProvider services)
    {
        var users = services.GetRequiredService<UserService>();
        var invitation = await users.InviteAsync("bench-auditor", "auditor", null, null, "local-admin", CancellationToken.None);
        await users.ActivateAsync(invitation.Token, null, "tidal-orbit-quince-7-lantern", CancellationToken.None);
        var user = await users.GetActiveAsync("bench-auditor", CancellationToken.None);
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
        insert.CommandText = "INSERT INTO devices (id, model, site, zone, tags, state, created_ms, updated_ms) VALUES ($id, 'meter', $site, 'ot', '[\"t1\"]', $state, 0, 0)";
        var id = insert.Parameters.AddWithValue("$id", string.Empty);
        var site = insert.Parameters.AddWithValue("$site", string.Empty);
        var state = insert.Parameters.AddWithValue("$state", string.Empty);
        for (var i = 0; i < count; i++)
        {
            (id.Value, site.Value, state.Value) = ($"meter-{i:D6}", $"site-{i % 50}", i % 997 == 0 ? "quarantined" : "active");
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
