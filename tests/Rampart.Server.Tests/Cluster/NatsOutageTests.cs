using System.Net;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>A private nats-server stopped and started again under a running node.</summary>
public sealed class NatsOutageTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_node_that_loses_NATS_is_not_ready_and_is_ready_again_when_NATS_returns()
    {
        var nats = await NatsServer.StartAsync();
        var port = nats.Port;
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?> { ["Rampart:Cluster:Nats"] = nats.Url.ToString() });
        using var client = node.HttpsClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        nats.Dispose();
        await Eventually.HoldsAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "/readyz is not ready", Deadline);
        Assert.Contains("NATS unreachable", await (await client.GetAsync("/readyz")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var back = await NatsServer.StartAsync(port);
        await Eventually.HoldsAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz is ready again", Deadline);
    }
}
