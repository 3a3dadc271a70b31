using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Server.Admin;
using Rampart.Server.Api;

namespace Rampart.Bench;

/// <summary>
/// Server CPU per EST enrollment against a real <c>rampart serve</c> child process (issue 12 item 3):
/// the node's CPU time from /proc, the bench's (the clients') kept apart. Three measured phases after a
/// warm-up: bare TLS handshakes (the floor every new connection pays), a trivial request on a new
/// connection each (what any new HTTPS connection costs), enrollments each on a new TLS connection
/// (what a device does), and enrollments on kept-alive connections (the enrollment alone).
/// </summary>
internal static class EstCpuBench
{
    /// <summary><c>est-cpu [--devices 3000] [--warmup 300] [--handshakes 1500] [--concurrency 8] [--hsm]</c> (--hsm: CA key in a SoftHSM2 token).</summary>
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var devices = arguments.Int("devices", 3000);
        var warmup = arguments.Int("warmup", 300);
        var handshakes = arguments.Int("handshakes", 1500);
        var concurrency = arguments.Int("concurrency", 8);
        var hsm = arguments.Flag("hsm");
        var data = BenchNode.NewDataDirectory("est-cpu");
        try
        {
            if (hsm)
            {
                await HsmBenchSetup.InitializeAsync(data);
            }

            using var node = await NodeProcess.StartAsync(data);
            var work = await RegisterAsync(node, devices + warmup, concurrency);
            using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));

            // Not measured: JIT, tiering and pools warm up on the same paths the phases run.
            await MeasureAsync(node, "warm-up", handshakes, concurrency, _ => HandshakeAsync(node.HttpsUri, root));
            using (var warm = Client(root, node.HttpsUri))
            {
                await MeasureAsync(node, "warm-up", warmup, concurrency, i => EnrollAsync(warm, work[devices + i], keepAlive: false));
            }

            var half = devices / 2;
            var rows = new List<string>
            {
                await MeasureAsync(node, "tls-handshake (new TLS 1.3 connection, no request)", handshakes, concurrency, _ => HandshakeAsync(node.HttpsUri, root)),
            };
            using (var fresh = Client(root, node.HttpsUri))
            {
                rows.Add(await MeasureAsync(node, "GET /healthz, new TLS connection each", handshakes, concurrency, _ => HealthAsync(fresh)));
                rows.Add(await MeasureAsync(node, "enroll, new TLS connection each", half, concurrency, i => EnrollAsync(fresh, work[i], keepAlive: false)));
            }

            using (var reused = Client(root, node.HttpsUri))
            {
                rows.Add(await MeasureAsync(node, "enroll, kept-alive connections", devices - half, concurrency, i => EnrollAsync(reused, work[half + i], keepAlive: true)));
            }

            // Again at the end: the spread between the two is the noise of this machine (tiering, other load).
            rows.Add(await MeasureAsync(node, "tls-handshake again, after everything", handshakes, concurrency, _ => HandshakeAsync(node.HttpsUri, root)));
            Console.WriteLine($"est-cpu devices={devices} concurrency={concurrency} {HsmBenchSetup.Describe(hsm)} (node pid {node.Id}; CPU from /proc/PID/stat, 10 ms ticks)");
            Console.WriteLine($"{"phase",-52} {"ops",6} {"ops/s",7} {"server ms/op",13} {"client ms/op",13}");
            rows.ForEach(Console.WriteLine);
            await node.StopAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<(string Id, string Token, string Csr)[]> RegisterAsync(NodeProcess node, int count, int concurrency)
    {
        // Not measured: registering devices is the operator's work, keys and CSRs the devices'.
        var work = new (string Id, string Token, string Csr)[count];
        using var admin = new AdminClient(node.AdminSocket);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var added = await admin.SendAsync<AddDeviceResponse>(HttpMethod.Post, "api/v1/devices", CancellationToken.None, new AddDeviceRequest($"cpu-{i:D6}"));
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                work[i] = (added.BootstrapToken.DeviceId, added.BootstrapToken.Token,
                    Convert.ToBase64String(new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest()));
            }
        })));
        return work;
    }

    private static async Task<string> MeasureAsync(NodeProcess node, string phase, int count, int concurrency, Func<int, Task> operation)
    {
        var next = -1;
        var failures = 0;
        var serverBefore = node.CpuTime();
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    await operation(i);
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or AuthenticationException or InvalidOperationException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        stopwatch.Stop();
        var server = node.CpuTime() - serverBefore;
        var client = Process.GetCurrentProcess().TotalProcessorTime - clientBefore;
        return $"{phase,-52} {count,6} {count / stopwatch.Elapsed.TotalSeconds,7:F0} {server.TotalMilliseconds / count,13:F2} {client.TotalMilliseconds / count,13:F2}"
            + (failures > 0 ? $"  ({failures} failed)" : string.Empty);
    }

    private static HttpClient Client(X509Certificate2 root, Uri baseAddress) =>
        new(new SocketsHttpHandler
        {
            // Trust exactly Rampart's root, as devices do; a first enrollment is a first contact, so
            // no TLS session resumption (it would skip the server's certificate signature).
            SslOptions = { CertificateChainPolicy = TrustOnly(root), AllowTlsResume = false },
        })
        { BaseAddress = baseAddress };

    private static X509ChainPolicy TrustOnly(X509Certificate2 root) => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { root },
        RevocationMode = X509RevocationMode.NoCheck,
    };

    private static async Task EnrollAsync(HttpClient http, (string Id, string Token, string Csr) device, bool keepAlive)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/est/simpleenroll")
        {
            Content = new StringContent(device.Csr, Encoding.ASCII, "application/pkcs10"),
        };
        request.Headers.ConnectionClose = !keepAlive;
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{device.Id}:{device.Token}")));
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"enrollment of {device.Id}: {(int)response.StatusCode}");
        }
    }

    private static async Task HealthAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "healthz");
        request.Headers.ConnectionClose = true;
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static async Task HandshakeAsync(Uri server, X509Certificate2 root)
    {
        // The same full handshake HttpClient makes for an EST request (TLS 1.3, ALPN http/1.1), then close.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = server.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateChainPolicy = TrustOnly(root),
            AllowTlsResume = false,
        });
    }
}
