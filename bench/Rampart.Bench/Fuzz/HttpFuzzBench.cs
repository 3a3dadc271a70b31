using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Connection;
using Rampart.Fleet.Inventory;

namespace Rampart.Bench.Fuzz;

/// <summary>
/// <c>http-fuzz [--requests 20000] [--seed N]</c>: mutated EST enrollment requests (CSR, encoding,
/// content type, credentials) and mutated JSON bodies for the unauthenticated API (login,
/// activation) against a node. Every answer must be a 2xx or 4xx, never a 5xx, and the node's log
/// must hold no stack trace. Reports the answers by status.
/// </summary>
internal static class HttpFuzzBench
{
    public static async Task RunAsync(string[] args)
    {
        var options = new BenchArguments(args);
        var requests = options.Int("requests", 20_000);
        var mutator = new Mutator(options.Int("seed", 20261201));
        var data = BenchNode.NewDataDirectory("fuzz-http");
        var stdout = Console.Out;
        var log = new LogScanner();
        Console.SetOut(log);
        await using var node = await BenchNode.StartAsync(data);
        var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));
        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = RampartTls.ClientOptions(node.HttpsUri.Host, root, null) }) { BaseAddress = node.HttpsUri };
        var inventory = node.Services.GetRequiredService<InventoryService>();

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Encoding.ASCII.GetBytes(Convert.ToBase64String(new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest()));
        byte[][] json =
        [
            Encoding.UTF8.GetBytes("{\"user\":\"alice\",\"password\":\"correct horse battery staple\",\"totp\":\"123456\"}"),
            Encoding.UTF8.GetBytes("{\"token\":\"rampart-invite-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"password\":\"p\",\"name\":\"bob\"}"),
        ];
        string[] contentTypes = ["application/pkcs10", "application/json", "text/plain", "application/pkcs10; charset=\u0000", "multipart/form-data; boundary=x"];

        var statuses = new SortedDictionary<int, int>();
        var (device, token) = await NewDeviceAsync(inventory, 0);
        var devices = 1;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            using var request = (i % 3) switch
            {
                0 or 1 => new HttpRequestMessage(HttpMethod.Post, ".well-known/est/simpleenroll")
                {
                    Content = Content(mutator.Next(4) == 0 ? mutator.Mutate(csr, csr) : Base64Mutant(mutator, csr), contentTypes[mutator.Next(contentTypes.Length)]),
                },
                _ => new HttpRequestMessage(HttpMethod.Post, mutator.Next(2) == 0 ? "api/v1/auth/login" : "api/v1/users/activate")
                {
                    Content = Content(mutator.Mutate(json[mutator.Next(json.Length)], json[mutator.Next(json.Length)]), "application/json"),
                },
            };
            if (request.RequestUri!.OriginalString.StartsWith(".well-known", StringComparison.Ordinal))
            {
                var credentials = mutator.Next(8) == 0 ? $"{device}:{token}\u0000x" : $"{device}:{token}";
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            }

            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status is >= 200 and < 300 && request.RequestUri.OriginalString.StartsWith(".well-known", StringComparison.Ordinal))
            {
                (device, token) = await NewDeviceAsync(inventory, devices++); // a mutant that still enrolled spent the token
            }
        }

        stdout.WriteLine($"http-fuzz: {requests:N0} mutated requests in {watch.Elapsed.TotalSeconds:0} s ({requests / watch.Elapsed.TotalSeconds:N0}/s): " +
            string.Join(", ", statuses.Select(s => $"{s.Value:N0}× {s.Key}")) +
            $"; {statuses.Where(s => s.Key >= 500).Sum(s => s.Value)} server errors; node log: {log.Errors} error/critical lines, {log.Exceptions} with a stack trace");
        foreach (var line in log.First)
        {
            stdout.WriteLine("  node: " + line);
        }
    }

    private static ByteArrayContent Content(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    // A CSR's DER mutated under valid base64, so the mutant reaches the PKCS#10 parser (RFC 2986).
    private static byte[] Base64Mutant(Mutator mutator, byte[] base64)
    {
        var der = Convert.FromBase64String(Encoding.ASCII.GetString(base64));
        return Encoding.ASCII.GetBytes(Convert.ToBase64String(mutator.Mutate(der, der)));
    }

    private static async Task<(string Id, string Token)> NewDeviceAsync(InventoryService inventory, int index)
    {
        var id = $"fuzz-est-{index:D5}";
        var (_, token) = await inventory.AddAsync(new NewDevice(id), "bench", CancellationToken.None);
        return (id, token.Token);
    }
}
