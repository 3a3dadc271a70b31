using System.Net;
using System.Net.Sockets;
using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Server.Tests.Storage;

/// <summary>A node whose PostgreSQL does not answer does not start, and says where it looked without the password.</summary>
public sealed class PostgresStartupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_node_whose_database_is_unreachable_refuses_to_start_naming_the_database_but_not_the_password()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Rampart:Storage:Provider"] = "postgres",
            ["Rampart:Storage:ConnectionString"] = $"Host=127.0.0.1;Port={closedPort};Database=rampart;Username=rampart;Password=hunter2-7f3a;Timeout=5",
        }));

        Assert.Contains($"the postgres database postgres://127.0.0.1:{closedPort}/rampart cannot be opened", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-7f3a", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Sub("data"), "rampart.db")));
    }
}
