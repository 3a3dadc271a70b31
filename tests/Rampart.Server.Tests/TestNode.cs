using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;

namespace Rampart.Server.Tests;

/// <summary>A real node in this process: real Kestrel, real TLS on a loopback port the kernel picks, a real data directory.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private bool _disposed;

    private TestNode(RampartNode node, StringWriter console)
    {
        Node = node;
        Console = console;
    }

    public RampartNode Node { get; }

    public StringWriter Console { get; }

    public static IConfiguration Configuration(string dataDirectory, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Rampart:DataDirectory"] = dataDirectory,
            ["Rampart:Https"] = "127.0.0.1:0",
            ["Rampart:Mqtt"] = "127.0.0.1:0",

            // The supply-chain release gate (on by default) refuses releases without a valid SBOM; tests of
            // other capabilities promote SBOM-less releases. Supply chain's own tests turn it on.
            ["Rampart:SupplyChain:EnforceGate"] = "false",

            // Attestation challenges every device at (re)connect on its command topic (on by default);
            // tests of other capabilities read exact message streams. The attestation tests turn it on.
            ["Rampart:SupplyChain:AttestOnConnect"] = "false",

            // The MQTT listener's TLS stack (OpenSsl by default); RAMPART_TEST_MQTT_TLS=SslStream runs the suite on the fallback.
            ["Rampart:Gateway:Tls:Implementation"] = Environment.GetEnvironmentVariable("RAMPART_TEST_MQTT_TLS"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    public static async Task<TestNode> StartAsync(string dataDirectory, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var console = new StringWriter();
        var node = await RampartNode.StartAsync(Configuration(dataDirectory, settings), console, CancellationToken.None, time);
        return new TestNode(node, console);
    }

    /// <summary>An HTTPS client that trusts exactly this node's certificate, pinned by its SHA-256 fingerprint.</summary>
    public HttpClient HttpsClient()
    {
        var pinned = Node.TlsFingerprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && NodeKeyring.Fingerprint(new X509Certificate2(certificate)) == pinned,
            },
        };
        return new HttpClient(handler) { BaseAddress = Node.HttpsUri };
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await Node.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

}

/// <summary>One node for all tests of a class that share it.</summary>
public abstract class NodeTestBase : IAsyncLifetime
{
    private readonly Testing.TempDirectory _temp = new();

    internal TestNode Node { get; private set; } = null!;

    protected string Temp(string name) => _temp.Sub(name);

    public async Task InitializeAsync() => Node = await TestNode.StartAsync(_temp.Sub("data"));

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _temp.Dispose();
    }
}
