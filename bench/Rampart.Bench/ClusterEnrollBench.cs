using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Rampart.Testing.Servers;

namespace Rampart.Bench;

/// <summary>
/// <c>est-enroll-cluster [--devices 1000] [--concurrency 32] [--nodes 3]</c>: EST enrollment, each on a new
/// TLS connection as devices enroll, two ways in this process: one node on SQLite (the default
/// deployment), and N nodes on one PostgreSQL and one NATS behind HAProxy in TCP mode (PROXY protocol
/// v2, round robin; docs/scale-out.md, "Behind HAProxy"). Issue 15's figure is the second rate as a
/// share of the first. PostgreSQL, NATS and HAProxy run on the same two cores as the nodes and clients.
/// </summary>
internal static class ClusterEnrollBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var devices = arguments.Int("devices", 1000);
        var concurrency = arguments.Int("concurrency", 32);
        var nodes = arguments.Int("nodes", 3);

        double single;
        var data = BenchNode.NewDataDirectory("enroll-single");
        await using (var node = await BenchNode.StartAsync(data))
        {
            using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));

            // A first, unreported round warms the JIT and the pools, so neither side pays for them.
            await EstBench.EnrollAllAsync(node.HttpsUri, root, await EstBench.PrepareAsync(node.Services, Math.Max(1, devices / 4), "warm"), concurrency, keepAlive: false);
            var (rate, seconds, failures) = await EstBench.EnrollAllAsync(node.HttpsUri, root, await EstBench.PrepareAsync(node.Services, devices, "single"), concurrency, keepAlive: false);
            single = rate;
            Report("one node, SQLite", devices, concurrency, rate, seconds, failures);
        }

        SqliteConnection.ClearAllPools();
        var database = await PostgresServer.NewDatabaseAsync();
        var nats = (await NatsServer.Shared).Url.ToString();
        var prefix = "enroll" + Guid.NewGuid().ToString("N")[..8];
        var directories = Enumerable.Range(0, nodes).Select(i => BenchNode.NewDataDirectory($"enroll-{i}")).ToArray();
        Dictionary<string, string?> Settings(int i)
        {
            var settings = BenchNode.ClusterSettings(database, nats, prefix, $"n{i}");
            settings["Rampart:Cluster:ProxyProtocolFrom"] = "127.0.0.1";
            return settings;
        }

        var started = new List<Rampart.Server.Hosting.RampartNode>();
        try
        {
            started.Add(await BenchNode.StartAsync(directories[0], Settings(0)));
            for (var i = 1; i < nodes; i++)
            {
                await BenchNode.CopyDataDirectoryAsync(directories[0], directories[i]);
                started.Add(await BenchNode.StartAsync(directories[i], Settings(i)));
            }

            using var balancer = await HaproxyServer.StartAsync([.. started.Select(n => (n.MqttEndPoint, new IPEndPoint(IPAddress.Loopback, n.HttpsUri.Port)))]);
            var through = new Uri($"https://127.0.0.1:{balancer.Https.Port}/");
            using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directories[0], "ca-root.crt.pem"));
            await EstBench.EnrollAllAsync(through, root, await EstBench.PrepareAsync(started[0].Services, Math.Max(1, devices / 4), "warm"), concurrency, keepAlive: false);
            var (rate, seconds, failures) = await EstBench.EnrollAllAsync(through, root, await EstBench.PrepareAsync(started[0].Services, devices, "cluster"), concurrency, keepAlive: false);
            Report($"{nodes} nodes, PostgreSQL + NATS, through HAProxy", devices, concurrency, rate, seconds, failures);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"est-enroll-cluster: through HAProxy on PostgreSQL at {100 * rate / single:F0} % of the SQLite node's rate"));
        }
        finally
        {
            foreach (var node in started)
            {
                await node.DisposeAsync();
            }

            foreach (var directory in directories.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static void Report(string what, int devices, int concurrency, double rate, double seconds, int failures) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"est-enroll-cluster {what}: {devices} devices, {concurrency} at a time, each a new TLS connection: {rate:F0} enrollments/s ({seconds:F1} s, {failures} failed)"));
}
