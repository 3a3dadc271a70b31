using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using Rampart.Cluster.Control;
using Rampart.Fleet.Monitoring;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Cluster.Tests.Control;

public sealed class FleetControlRelayTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    public static TheoryData<FleetEvent> Crossing() =>
    [
        new CertificateRevoked(Now, "0A1B", "device", "d1", "keyCompromise"),
        new DeviceAccessChanged(Now, "d1", DeviceAccessChange.Retired, "retired"),
        new DeviceAccessChanged(Now, "d1", DeviceAccessChange.Quarantined, "tamper"),
        new DeviceAccessChanged(Now, "d1", DeviceAccessChange.Released, "cleared"),
        new DeviceZoneChanged(Now, "d1", "ot", true, "confined"),
        new DeviceZoneChanged(Now, "d1", null, false, "released"),
    ];

    [Theory]
    [MemberData(nameof(Crossing))]
    public void Revocations_and_access_changes_cross_nodes_unchanged(FleetEvent fleetEvent) =>
        Assert.Equal(fleetEvent, FleetControlRelay.FromMessage(FleetControlRelay.ToMessage(fleetEvent)!));

    [Fact]
    public void Security_events_stay_on_their_node() =>
        Assert.Null(FleetControlRelay.ToMessage(new SecurityEventRecorded(new SecurityEvent(Now, "k", SecuritySeverity.Info, "d1", null, new Dictionary<string, string>()))));

    [Fact]
    public async Task An_event_published_on_one_node_is_applied_on_the_other_and_not_on_its_own()
    {
        var url = (await NatsServer.Shared).Url.ToString();
        var prefix = "f" + Guid.NewGuid().ToString("N")[..12];
        await using var natsA = new NatsConnection(new NatsOpts { Url = url });
        await using var natsB = new NatsConnection(new NatsOpts { Url = url });
        var streamA = new FleetEventStream();
        var appliedA = new List<FleetEvent>();
        var appliedB = new List<FleetEvent>();
        var streamB = new FleetEventStream();
        await using var relayA = new FleetControlRelay(natsA, streamA, e => { lock (appliedA) { appliedA.Add(e); } return 1; }, "a", prefix, NullLogger.Instance);
        await using var relayB = new FleetControlRelay(natsB, streamB, e => { lock (appliedB) { appliedB.Add(e); } return 1; }, "b", prefix, NullLogger.Instance);
        await relayA.StartAsync(CancellationToken.None);
        await relayB.StartAsync(CancellationToken.None);
        await natsB.PingAsync();

        var revoked = new CertificateRevoked(Now, "0A1B", "device", "d1", "keyCompromise");
        await streamA.PublishAsync(revoked);

        await Eventually.HoldsAsync(() => Task.FromResult(relayB.Applied == 1), "node b applied the revocation", TimeSpan.FromSeconds(20));
        lock (appliedB)
        {
            Assert.Equal(revoked, Assert.Single(appliedB));
        }

        // A's own echo reached A's subscription before B's answer (NATS orders what it relays to one
        // subscription, and B sent only after it got A's): once A applied B's event, the echo was ignored.
        var retired = new DeviceAccessChanged(Now, "d2", DeviceAccessChange.Retired, "retired");
        await streamB.PublishAsync(retired);
        await Eventually.HoldsAsync(() => Task.FromResult(relayA.Applied == 1), "node a applied the retirement", TimeSpan.FromSeconds(20));
        lock (appliedA)
        {
            Assert.Equal(retired, Assert.Single(appliedA));
        }
    }
}
