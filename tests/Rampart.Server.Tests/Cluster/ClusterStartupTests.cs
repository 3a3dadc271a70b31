using System.Net;
using System.Net.Sockets;
using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Server.Tests.Cluster;

public sealed class ClusterStartupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_node_whose_NATS_is_unreachable_refuses_to_start_naming_the_server()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Rampart:Cluster:Nats"] = $"nats://127.0.0.1:{port}",
        }));
        Assert.Contains($"no NATS server reachable at nats://127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Rampart:Cluster:NodeId", "node a", "NodeId")]
    [InlineData("Rampart:Cluster:Prefix", "rampart.x", "Prefix")]
    [InlineData("Rampart:Cluster:CredentialsFile", "/nonexistent/node.creds", "CredentialsFile")]
    public async Task Invalid_cluster_settings_stop_the_start_with_the_setting_named(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Rampart:Cluster:Nats"] = "nats://127.0.0.1:4222",
            [key] = value,
        }));
        Assert.Contains("Rampart:Cluster:" + named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nats://10.0.0.7:4222", null)]
    [InlineData("tls://nats.example.net:4222", null)]
    [InlineData("nats://nats.example.net:4222", "node.creds")]
    public async Task A_fabric_beyond_loopback_without_TLS_and_credentials_stops_the_start(string url, string? credentials)
    {
        string? creds = null;
        if (credentials is not null)
        {
            creds = _temp.Sub(credentials);
            await File.WriteAllTextAsync(creds, "not read: the start stops before connecting");
        }

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Rampart:Cluster:Nats"] = url,
            ["Rampart:Cluster:CredentialsFile"] = creds,
        }));
        Assert.Contains("is not on loopback, so the fabric needs tls:// URLs and a CredentialsFile", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Rampart:Cluster:NodeId", "node a", "Rampart:Cluster:NodeId")]
    [InlineData("Rampart:Cluster:Nats", "nats://10.0.0.7:4222", "Rampart:Cluster:Nats")]
    [InlineData("Rampart:Cluster:ProxyProtocolFrom", "10.0.0.0/99", "Rampart:Cluster:ProxyProtocolFrom")]
    [InlineData("Rampart:Sessions:FlushInterval", "00:10:00", "Rampart:Sessions:FlushInterval")]
    [InlineData("Rampart:Sessions:MaximumStoredBytes", "lots", "Rampart:Sessions")]
    public async Task A_bad_cluster_or_session_setting_stops_the_node_before_any_data_file_is_created(string key, string value, string named)
    {
        var data = _temp.Sub("fresh");
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Rampart:Cluster:NodeId", StringComparison.Ordinal))
        {
            settings["Rampart:Cluster:Nats"] = "nats://127.0.0.1:4222";
        }

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(data, settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any(),
            $"the failed start left {string.Join(", ", Directory.Exists(data) ? Directory.EnumerateFileSystemEntries(data) : [])}");
    }
}
