using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Subjects;
using Rampart.Server.Privacy;
using Rampart.Server.Tests.Cluster;
using Rampart.Testing;

namespace Rampart.Server.Tests.Privacy;

/// <summary>
/// Subject and consent changes across the cluster (issue 19 §7 on issue 15's fabric): three nodes,
/// one PostgreSQL, one NATS, real mTLS. A consent withdrawn on node A stops delivery to a service
/// subscribed on node B, whose delivery filter decides it.
/// </summary>
public sealed class PrivacyClusterTests : IAsyncLifetime
{
    private ClusterOfThree _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterOfThree.StartAsync(PrivacyNode.Settings());
        await _cluster.AllJoinedAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_consent_withdrawn_on_node_A_stops_delivery_to_a_service_subscribed_on_node_B()
    {
        var device = await _cluster.First.EnrollDeviceAsync("thermo-cluster");
        var subjects = _cluster.Get<SubjectService>(0);
        await subjects.AddAsync("household-9", "eu", null, "test", CancellationToken.None);
        await subjects.LinkDeviceAsync("household-9", device.Id, "test", CancellationToken.None);
        await subjects.SetConsentAsync("household-9", "analytics", true, "test", CancellationToken.None);
        var pseudonym = subjects.PseudonymOf("household-9");
        var onB = _cluster.Get<SubjectDirectory>(1);
        await Eventually.HoldsAsync(() => Task.FromResult(onB.Find(device.Id)?.Consented.Contains("analytics") == true), "node B knows the consent", ClusterOfThree.Patience);

        var service = await _cluster.First.ServiceAsync("analytics");
        await using var analytics = await _cluster.ConnectAsync(1, service, "analytics-b");
        await analytics.SubscribeAsync(1, new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtMostOnce));
        await using var thermo = await _cluster.ConnectAsync(0, device, device.Id);
        var topic = $"devices/{device.Id}/telemetry/temp";
        await ClusterOfThree.PublishUntilReceivedAsync(thermo, analytics, topic, "21.5");

        await subjects.SetConsentAsync("household-9", "analytics", false, "test", CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(onB.Find(device.Id)?.Consented.Contains("analytics") == false), "node B sees the withdrawal", ClusterOfThree.Patience);
        Assert.True(_cluster.Get<PrivacyClusterRelay>(1).Applied >= 4);

        // Node B's filter refuses it now, and says so (a refusal event naming the subject by pseudonym).
        await Eventually.HoldsAsync(async () =>
        {
            await thermo.SendAsync(new PublishPacket { Topic = topic, Payload = "22.0"u8.ToArray() });
            var events = await _cluster.Get<Rampart.Fleet.Monitoring.ISecurityEventStore>(1).ListAsync(device.Id, 100, CancellationToken.None);
            return events.Any(e => e.Event.Kind == RefusalEvents.NoConsent && e.Event.Details.GetValueOrDefault("subject") == pseudonym);
        }, "node B refuses for want of consent", ClusterOfThree.Patience);
        while (await ClusterOfThree.TryReceiveAsync(analytics, TimeSpan.FromMilliseconds(250)) is PublishPacket queued)
        {
            // What node B delivered before the withdrawal reached it may still be on the wire: only readings sent before it.
            Assert.Equal("21.5", System.Text.Encoding.UTF8.GetString(queued.Payload.Span));
        }

        await thermo.SendAsync(new PublishPacket { Topic = topic, Payload = "23.0"u8.ToArray() });
        Assert.True(await analytics.NothingWithinAsync(TimeSpan.FromSeconds(1)));
    }
}
