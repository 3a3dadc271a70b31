using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Pki.Authority;
using Rampart.Server.Admin;
using Rampart.Server.Keys;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// A live issuing CA rollover is refused on a node of a cluster (each node holds its own copy of the CA
/// files, so one node switching alone would split the cluster's trust), and the refusal changes nothing.
/// </summary>
public sealed class ClusterCaRolloverTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_node_of_a_cluster_refuses_a_live_rollover_and_keeps_its_issuing_ca_and_log_as_they_were()
    {
        var data = _temp.Sub("data");
        await using var node = await TestNode.StartAsync(data, new Dictionary<string, string?>
        {
            ["Rampart:Storage:Provider"] = "postgres",
            ["Rampart:Storage:ConnectionString"] = await PostgresServer.NewDatabaseAsync(),
            ["Rampart:Cluster:Nats"] = (await NatsServer.Shared).Url.ToString(),
            ["Rampart:Cluster:Prefix"] = "c" + Guid.NewGuid().ToString("N")[..12],
            ["Rampart:Cluster:NodeId"] = "node-a",
        });
        var issuingFile = await File.ReadAllTextAsync(Path.Combine(data, "ca-issuing.crt.pem"));
        var subject = node.Node.Services.GetRequiredService<CertificateAuthority>().Issuing.Subject;
        using var admin = new AdminClient(node.Node.AdminSocketPath);

        var refused = await Assert.ThrowsAsync<AdminCommandException>(() =>
            admin.SendAsync<CaRollover.Result>(HttpMethod.Post, "api/v1/ca/rollover", CancellationToken.None, new CaRolloverRequest(30)));

        Assert.Contains("one of a cluster", refused.Message, StringComparison.Ordinal);
        Assert.Equal(subject, node.Node.Services.GetRequiredService<CertificateAuthority>().Issuing.Subject);
        Assert.Equal(issuingFile, await File.ReadAllTextAsync(Path.Combine(data, "ca-issuing.crt.pem")));
        Assert.False(File.Exists(Path.Combine(data, "ca-issuing-next.crt.pem")));
        Assert.Equal(0, await node.Node.Services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None)
            .CountAsync(e => e.Action == CaRollover.RolledOverAction));
    }
}
