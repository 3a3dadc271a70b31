using NATS.Client.Core;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Subjects;
using Rampart.Server.Cluster;
using Rampart.Server.Privacy;
using Rampart.Server.Tests.Cluster;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Privacy;

/// <summary>
/// A node cut off from NATS (nodes B and C reach the real nats-server through a link the test cuts; A directly) misses the
/// subject changes made meanwhile; when its connection opens again it catches up from the shared
/// store, so a consent withdrawn and a subject erased during the partition hold there once it heals.
/// The periodic resync is set to an hour here: what catches up is the reconnection.
/// </summary>
public sealed class PrivacyPartitionTests : IAsyncLifetime
{
    private CuttableTcpLink _link = null!;
    private ClusterOfThree _cluster = null!;

    public async Task InitializeAsync()
    {
        _link = new CuttableTcpLink((await NatsServer.Shared).Url);
        var settings = PrivacyNode.Settings();
        settings["Rampart:Privacy:ClusterResyncInterval"] = "01:00:00";
        _cluster = await ClusterOfThree.StartAsync(settings, new Dictionary<string, string?> { ["Rampart:Cluster:Nats"] = _link.Url.ToString() });
        await _cluster.AllJoinedAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _link.Dispose();
    }

    [Fact]
    public async Task A_consent_withdrawn_and_a_subject_erased_while_node_B_is_cut_off_from_NATS_hold_on_node_B_once_it_reconnects()
    {
        var device = await _cluster.First.EnrollDeviceAsync("thermo-partition");
        var subjects = _cluster.Get<SubjectService>(0);
        await subjects.AddAsync("household-p", "eu", null, "test", CancellationToken.None);
        await subjects.LinkDeviceAsync("household-p", device.Id, "test", CancellationToken.None);
        await subjects.SetConsentAsync("household-p", "analytics", true, "test", CancellationToken.None);
        var leaving = await subjects.AddAsync("leaving-p", "eu", null, "test", CancellationToken.None);
        var onB = _cluster.Get<SubjectDirectory>(1);
        await Eventually.HoldsAsync(() => Task.FromResult(onB.Find(device.Id)?.Consented.Contains("analytics") == true && onB.Get(leaving) is not null),
            "node B knows both subjects and the consent", ClusterOfThree.Patience);

        var natsOfB = _cluster.Get<ClusterNode>(1).Connection!;
        var relayOfB = _cluster.Get<PrivacyClusterRelay>(1);
        _link.Cut();
        await Eventually.HoldsAsync(() => Task.FromResult(natsOfB.ConnectionState != NatsConnectionState.Open), "node B lost NATS", ClusterOfThree.Patience);
        var resyncsBefore = relayOfB.Resyncs;
        var appliedBefore = relayOfB.Applied;

        await subjects.SetConsentAsync("household-p", "analytics", false, "test", CancellationToken.None);
        await _cluster.Get<SubjectErasure>(0).ExecuteAsync(leaving, "alice", "carol", CancellationToken.None);

        // Node A has applied both; node B, cut off, cannot hear of them and holds what it knew.
        Assert.True(subjects.PseudonymOf("household-p") is { } held && _cluster.Get<SubjectDirectory>(0).Get(held)?.Consented.Contains("analytics") == false);
        Assert.True(onB.Find(device.Id)?.Consented.Contains("analytics") == true && onB.Get(leaving) is not null, "node B, cut off, still holds the old state");

        _link.Restore();
        await Eventually.HoldsAsync(() => Task.FromResult(onB.Find(device.Id)?.Consented.Contains("analytics") == false && onB.Get(leaving) is null),
            "node B catches up once NATS is back", ClusterOfThree.Patience);
        Assert.Equal(NatsConnectionState.Open, natsOfB.ConnectionState);
        Assert.True(relayOfB.Resyncs > resyncsBefore);
        Assert.Equal(appliedBefore, relayOfB.Applied);
    }
}
