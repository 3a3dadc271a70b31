using Rampart.Server.Admin;
using Rampart.Server.SupplyChain;
using Rampart.Server.Tests.Cluster;
using Rampart.Testing;

namespace Rampart.Server.Tests.SupplyChain;

/// <summary>
/// Attestation across a cluster (issue 17 item 8 on issue 15's fabric): three nodes, one PostgreSQL,
/// one NATS, real mTLS. The outstanding challenge is in the shared store, and a server publish goes
/// through the fabric, so an on-demand challenge asked of any node reaches the device on the node
/// that holds its session, and that node judges the answer.
/// </summary>
public sealed class AttestationClusterTests : IAsyncLifetime
{
    private ClusterOfThree _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterOfThree.StartAsync(AttestationTests.AttestOnConnect);
        await _cluster.AllJoinedAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_on_demand_challenge_asked_of_node_A_reaches_a_device_connected_to_node_B_and_its_answer_passes_there()
    {
        var release = await AttestationTests.ReleaseAsync(_cluster.First);
        await using var device = await AttestationTests.DeviceAsync(_cluster.First, "att-cluster", "sha256:" + release.ImageSha256, port: _cluster.Nodes[1].Node.MqttEndPoint.Port);
        await AttestationTests.EventAsync(_cluster.First, "att-cluster", "supplychain.attestation.passed");

        // Node A issues the nonce (stored, published into the fabric); node B delivers it and judges the answer.
        // Core NATS is at most once (a publish can cross before node B's interest has), so the operator's
        // call is repeated until one is answered, as ClusterOfThree.PublishUntilReceivedAsync does for messages.
        using var admin = new AdminClient(_cluster.First.Node.Node.AdminSocketPath);
        await Eventually.HoldsAsync(async () =>
        {
            var challenge = await admin.SendAsync<AttestationChallengeResponse>(HttpMethod.Post, "api/v1/attestation/devices/att-cluster", CancellationToken.None);
            Assert.Equal(43, challenge.Nonce.Length);
            try
            {
                await Eventually.HoldsAsync(async () => (await AttestationTests.Events(_cluster.First, "att-cluster", "supplychain.attestation.passed")).Count >= 2,
                    "this challenge is answered", TimeSpan.FromSeconds(15));
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, "a challenge from node A is answered through node B");
        Assert.Empty(await AttestationTests.Events(_cluster.First, "att-cluster", "supplychain.attestation.mismatch"));
    }
}
