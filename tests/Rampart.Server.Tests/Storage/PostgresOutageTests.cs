using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Storage;

/// <summary>
/// PostgreSQL stopped and started again under a running node (a private server: the run's shared
/// one stays up): while it is down the node says so — /readyz not ready, requests refused with 503
/// and a reason, no 500 and no stack trace — and it recovers by itself when the database returns.
/// </summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();
    private PostgresServer _server = null!;
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        var connectionString = await _server.CreateDatabaseAsync();
        _node = await TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Rampart:Storage:Provider"] = "postgres",
            ["Rampart:Storage:ConnectionString"] = connectionString,
        });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_node_whose_database_stops_refuses_work_with_503_and_recovers_when_it_returns()
    {
        using var client = _node.HttpsClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        await AddDeviceAsync("before");

        await _server.StopAsync();

        var notReady = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("database unreachable", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var enroll = await client.SendAsync(EnrollRequest());
        var body = await enroll.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, enroll.StatusCode);
        Assert.Contains("database is unavailable", body, StringComparison.Ordinal);
        Assert.NotNull(enroll.Headers.RetryAfter);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", body, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => AddDeviceAsync("during"));

        await _server.RestartAsync();

        await Eventually.HoldsAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz is ready again", Deadline);
        await AddDeviceAsync("after");
        using var again = await client.SendAsync(EnrollRequest());
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode); // refused for its made-up token, as it should be
        var inventory = _node.Node.Services.GetRequiredService<IDeviceStore>();
        Assert.NotNull(await inventory.GetAsync("before", CancellationToken.None));
        Assert.NotNull(await inventory.GetAsync("after", CancellationToken.None));
        Assert.Null(await inventory.GetAsync("during", CancellationToken.None));

        using var publicKey = _node.Node.Services.GetRequiredService<AuditSigningKey>().ExportPublic();
        var verification = await new AuditVerifier(publicKey).VerifyAsync(_node.Node.Services.GetRequiredService<IAuditStore>());
        Assert.True(verification.IsIntact, verification.Problem);
    }

    private Task AddDeviceAsync(string id) =>
        _node.Node.Services.GetRequiredService<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);

    private static HttpRequestMessage EnrollRequest()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new HttpRequestMessage(HttpMethod.Post, "/.well-known/est/simpleenroll")
        {
            Content = new StringContent(Convert.ToBase64String(FleetHarness.Csr(key)), MediaTypeHeaderValue.Parse("application/pkcs10")),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("ghost:rampart-boot-" + new string('A', 43))));
        return request;
    }
}
