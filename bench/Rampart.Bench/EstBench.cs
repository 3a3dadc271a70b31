using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Inventory;

namespace Rampart.Bench;

/// <summary>EST enrollments per second over HTTPS against one node on loopback, each on a fresh TLS connection as a device would.</summary>
internal static class EstBench
{
    /// <summary>
    /// <c>est-enroll [--devices 2000] [--concurrency 32] [--keep-alive] [--provider sqlite|postgres] [--connection-string CS]</c>;
    /// without --keep-alive every enrollment opens a new TLS connection. With <c>--provider postgres</c>
    /// the node's stores are on PostgreSQL: the database named by --connection-string, else a new
    /// database on the server of RAMPART_TEST_POSTGRES, else on a PostgreSQL this bench starts
    /// (initdb on loopback, as tests do).
    /// </summary>
    public static async Task EnrollAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var devices = arguments.Int("devices", 2000);
        var concurrency = arguments.Int("concurrency", 32);
        var keepAlive = arguments.Flag("keep-alive");
        var provider = arguments.String("provider") ?? "sqlite";
        var data = BenchNode.NewDataDirectory("est");
        var storage = await BenchStorage.SettingsAsync(provider, arguments.String("connection-string"));

        await using (var node = await BenchNode.StartAsync(data, storage))
        {
            var work = await PrepareAsync(node.Services, devices, "bench");
            using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));
            var (rate, seconds, failures) = await EnrollAllAsync(node.HttpsUri, root, work, concurrency, keepAlive);
            Console.WriteLine($"est-enroll provider={provider} devices={devices} concurrency={concurrency}: {rate:F0} enrollments/s " +
                $"({seconds:F1} s, {failures} failed; {(keepAlive ? "connections reused" : "each a new TLS 1.3 connection")}; P-256 CSR, certificate recorded, audited, evented)");
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(data, recursive: true);
    }

    /// <summary>
    /// Registers <paramref name="devices"/> devices (ids PREFIX-000000…) and makes each a key and CSR. Not
    /// measured: registering devices and making keys and CSRs is the operator's and the devices' work.
    /// </summary>
    public static async Task<(string Id, string Token, string Csr)[]> PrepareAsync(IServiceProvider services, int devices, string prefix)
    {
        var inventory = services.GetRequiredService<InventoryService>();
        var work = new (string Id, string Token, string Csr)[devices];
        for (var i = 0; i < devices; i++)
        {
            var (_, token) = await inventory.AddAsync(new NewDevice($"{prefix}-{i:D6}"), "bench", CancellationToken.None);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            work[i] = (token.DeviceId, token.Token, Convert.ToBase64String(new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest()));
        }

        return work;
    }

    /// <summary>
    /// Enrolls every device of <paramref name="work"/> over EST at <paramref name="server"/> with
    /// <paramref name="concurrency"/> clients; unless <paramref name="keepAlive"/>, each on a new TLS connection.
    /// </summary>
    public static async Task<(double Rate, double Seconds, int Failures)> EnrollAllAsync(
        Uri server, X509Certificate2 root, IReadOnlyList<(string Id, string Token, string Csr)> work, int concurrency, bool keepAlive)
    {
        using var handler = new SocketsHttpHandler
        {
            // A device enrolls once: unless keep-alive, every enrollment pays a TLS handshake (Connection: close).
            SslOptions =
            {
                // Trust exactly Rampart's root, as devices do.
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { root },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = server };
        var next = -1;
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < work.Count)
            {
                var (id, token, csr) = work[index];
                using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/est/simpleenroll")
                {
                    Content = new StringContent(csr, Encoding.ASCII, "application/pkcs10"),
                };
                request.Headers.ConnectionClose = !keepAlive;
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{token}")));
                using var response = await http.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        stopwatch.Stop();
        return (work.Count / stopwatch.Elapsed.TotalSeconds, stopwatch.Elapsed.TotalSeconds, failures);
    }
}
