using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Certificates;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing.Servers;

namespace Rampart.Bench;

/// <summary>
/// <c>mqtt-revoke-cluster [--devices 50]</c>: revocation → DISCONNECT across nodes. Two nodes in
/// this process on one PostgreSQL and one nats-server (those of RAMPART_TEST_POSTGRES and
/// RAMPART_TEST_NATS, or started here as the tests do); each device holds a session on node A, its
/// certificate is revoked through node B, and the time until the device reads its DISCONNECT is
/// measured, one device at a time, over real TLS on loopback.
/// </summary>
internal static class ClusterRevocationBench
{
    public static async Task RunAsync(string[] args)
    {
        var devices = new BenchArguments(args).Int("devices", 50);
        var database = await PostgresServer.NewDatabaseAsync();
        var nats = (await NatsServer.Shared).Url.ToString();
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        Dictionary<string, string?> Settings(string node) => BenchNode.ClusterSettings(database, nats, prefix, node);

        var dataA = BenchNode.NewDataDirectory("cluster-a");
        var dataB = BenchNode.NewDataDirectory("cluster-b");
        var revokeCall = new List<double>();
        var untilDisconnect = new List<double>();
        await using (var nodeA = await BenchNode.StartAsync(dataA, Settings("a")))
        {
            // Node B shares A's keys (a copy of its data directory without the lock and socket).
            await BenchNode.CopyDataDirectoryAsync(dataA, dataB);
            await using var nodeB = await BenchNode.StartAsync(dataB, Settings("b"));
            using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dataA, "ca-root.crt.pem"));
            var revocation = nodeB.Services.GetRequiredService<RevocationService>();
            for (var i = 0; i < devices; i++)
            {
                var id = $"cluster-revoke-{i:D3}";
                var (identity, record) = await BenchIdentities.EnrollDeviceAsync(nodeA.Services, id);
                using var owned = identity;
                await using var client = await BenchMqttClient.ConnectAsync("127.0.0.1", nodeA.MqttEndPoint.Port, identity, root, id, MqttProtocolVersion.V500);
                var disconnected = Task.Run(async () =>
                {
                    await client.ReadAsync(packet => packet is not DisconnectPacket);
                    return Stopwatch.GetTimestamp();
                });

                var start = Stopwatch.GetTimestamp();
                await revocation.RevokeSerialAsync(record.Serial, X509RevocationReason.KeyCompromise, "bench", CancellationToken.None);
                revokeCall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                var end = await disconnected.WaitAsync(TimeSpan.FromSeconds(10));
                untilDisconnect.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            }
        }

        Directory.Delete(dataA, recursive: true);
        Directory.Delete(dataB, recursive: true);
        untilDisconnect.Sort();
        revokeCall.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mqtt-revoke-cluster devices={devices}: revoke on node B to DISCONNECT received on node A: p50 {Percentile(untilDisconnect, 0.50):F1} ms, " +
            $"p99 {Percentile(untilDisconnect, 0.99):F1} ms, max {untilDisconnect[^1]:F1} ms (the revoke call on B itself — audited in PostgreSQL, CRL reissued — p50 {Percentile(revokeCall, 0.50):F1} ms)"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
