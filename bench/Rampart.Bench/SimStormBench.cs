using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;
using Rampart.Simulator;

namespace Rampart.Bench;

/// <summary>
/// <c>sim-storm [--devices 10000] [--concurrency 32]</c>: a simulated fleet against one node on loopback:
/// how long until every device enrolled over EST (own key, bootstrap token, new TLS connection each)
/// and until every device holds an MQTT session, and the connect-storm rate once enrolled.
/// </summary>
internal static class SimStormBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var devices = arguments.Int("devices", 10_000);
        var concurrency = arguments.Int("concurrency", 32);
        var data = BenchNode.NewDataDirectory("sim");
        await using (var node = await BenchNode.StartAsync(data, new Dictionary<string, string?> { ["Rampart:Gateway:MaxUnauthenticatedPerSource"] = "10000" }))
        {
            var inventory = node.Services.GetRequiredService<InventoryService>();
            var simulation = new FleetSimulation(new SimulationOptions
            {
                EstServer = node.HttpsUri,
                MqttHost = node.MqttEndPoint.Address.ToString(),
                MqttPort = node.MqttEndPoint.Port,
                TrustedRoot = X509CertificateLoader.LoadCertificate(node.Services.GetRequiredService<CertificateAuthority>().Root.RawData),
                Devices = devices,
                Concurrency = concurrency,
                TelemetryInterval = TimeSpan.FromMinutes(5),
            }, new Provisioner(inventory));

            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(20));
            var clock = Stopwatch.StartNew();
            var running = simulation.RunAsync(stop.Token);
            TimeSpan? enrolled = null;
            var firstConnected = TimeSpan.Zero;
            while (simulation.Stats.Connected < devices && !stop.IsCancellationRequested)
            {
                await Task.Delay(100);
                if (firstConnected == TimeSpan.Zero && simulation.Stats.Connected > 0)
                {
                    firstConnected = clock.Elapsed;
                }

                if (enrolled is null && simulation.Stats.Enrolled + simulation.Stats.EnrollFailures == devices)
                {
                    enrolled = clock.Elapsed;
                }
            }

            var connected = clock.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sim-storm devices={devices} concurrency={concurrency}: all enrolled in {enrolled?.TotalSeconds:F1} s ({devices / (enrolled?.TotalSeconds ?? 1):F0}/s, {simulation.Stats.EnrollFailures} failed), " +
                $"all connected in {connected.TotalSeconds:F1} s; {simulation.Stats.Connected} sessions held; " +
                $"enrollment and connection overlap (each device connects right after it enrolls)"));
            await stop.CancelAsync();
            await running;
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(data, recursive: true);
    }

    private sealed class Provisioner(InventoryService inventory) : IFleetProvisioner
    {
        public async Task<string> AddDeviceAsync(string id, string model, DateOnly? supportUntil, CancellationToken cancellationToken) =>
            (await inventory.AddAsync(new NewDevice(id, Model: model, SupportUntil: supportUntil), "bench", cancellationToken)).Token.Token;
    }
}
