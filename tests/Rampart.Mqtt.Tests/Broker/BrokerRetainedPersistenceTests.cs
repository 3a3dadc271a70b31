using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;
using static Rampart.Mqtt.Tests.Broker.BrokerDeliveryTests;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>
/// What the broker gives its host to keep retained messages beyond the process (issue 15): the latest
/// change per topic since the last capture, never another node's, and stored messages taken back in
/// without overwriting what was set here meanwhile.
/// </summary>
public sealed class BrokerRetainedPersistenceTests
{
    [Fact]
    public async Task A_capture_holds_the_latest_change_per_topic_including_a_clearing_and_then_nothing()
    {
        await using var broker = new BrokerHarness();
        broker.Broker.TrackRetainedChanges();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("state/a", "1", retain: true));
        await publisher.SendAsync(Message("state/a", "2", retain: true));
        await publisher.SendAsync(Message("state/b", "x", retain: true));
        await publisher.SendAsync(Message("state/b", "", retain: true));
        await publisher.SendAsync(Message("state/c", "not retained"));
        await publisher.SendAsync(Message("state/z", "last", retain: true));

        // One connection's publishes are handled in order: once the last is captured, all are.
        IReadOnlyList<RetainedChange> changes = [];
        await Eventually.HoldsAsync(() => Task.FromResult((changes = [.. changes, .. broker.Broker.CaptureRetainedChanges()]).Any(c => c.Topic == "state/z")),
            "the broker handled the retained publishes");
        Assert.Equal(["state/a", "state/b", "state/z"], changes.Select(c => c.Topic).Distinct().Order());
        var byTopic = changes.GroupBy(c => c.Topic).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal("2", Encoding.UTF8.GetString(byTopic["state/a"].Message!.Payload.Span));
        Assert.Null(byTopic["state/b"].Message);
        Assert.Empty(broker.Broker.CaptureRetainedChanges());
    }

    [Fact]
    public async Task A_message_retained_on_another_node_is_kept_here_but_not_captured_since_that_node_writes_it()
    {
        await using var broker = new BrokerHarness();
        broker.Broker.TrackRetainedChanges();
        Assert.True(broker.Broker.StoreRemoteRetained(Retained("remote/a", "from elsewhere")));

        Assert.Equal(1, broker.Broker.RetainedCount);
        Assert.Empty(broker.Broker.CaptureRetainedChanges());
    }

    [Fact]
    public async Task Restored_messages_fill_empty_topics_only_and_a_failed_write_is_put_back_unless_the_topic_changed_since()
    {
        await using var broker = new BrokerHarness();
        broker.Broker.TrackRetainedChanges();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("state/live", "set here", retain: true));
        await Eventually.HoldsAsync(() => Task.FromResult(broker.Broker.RetainedCount == 1), "the retained publish was handled");

        // The store's older value of state/live does not overwrite the one set here; an expired one is left out.
        var taken = broker.Broker.RestoreRetained(
            [Retained("state/live", "stale"), Retained("state/stored", "from the store"), Retained("state/gone", "expired", DateTimeOffset.UtcNow.AddSeconds(-1))]);
        Assert.Equal(1, taken);
        var subscriber = await broker.ConnectAsync("sub");
        await subscriber.SubscribeAsync(1, new TopicSubscription("state/#", MqttQualityOfService.AtMostOnce));
        var heard = new[] { await subscriber.ExpectAsync<PublishPacket>(), await subscriber.ExpectAsync<PublishPacket>() }
            .ToDictionary(p => p.Topic, p => Encoding.UTF8.GetString(p.Payload.Span));
        Assert.Equal(new Dictionary<string, string> { ["state/live"] = "set here", ["state/stored"] = "from the store" }, heard);

        // A write that failed is put back; a topic set again meanwhile keeps its newer change.
        var failed = broker.Broker.CaptureRetainedChanges();
        await publisher.SendAsync(Message("state/live", "newer", retain: true));
        await Eventually.HoldsAsync(async () => (await Matching(broker, "state/live")) == "newer", "the newer retained publish was handled");
        broker.Broker.RequeueRetainedChanges(failed);
        var again = Assert.Single(broker.Broker.CaptureRetainedChanges());
        Assert.Equal("newer", Encoding.UTF8.GetString(again.Message!.Payload.Span));
    }

    [Fact]
    public async Task A_clearing_heard_from_another_node_while_the_store_is_read_is_not_undone_by_the_older_stored_value()
    {
        await using var broker = new BrokerHarness();
        broker.Broker.TrackRetainedChanges();

        // The start-up read begins; meanwhile another node clears state/a (its tombstone not written yet), so the read still returns the old value.
        broker.Broker.BeginRetainedRestore();
        Assert.True(broker.Broker.StoreRemoteRetained(Retained("state/a", "")));
        var taken = broker.Broker.RestoreRetained([Retained("state/a", "old"), Retained("state/b", "kept")]);

        Assert.Equal(1, taken);
        Assert.Equal(1, broker.Broker.RetainedCount);
        Assert.Equal("kept", await Matching(broker, "state/b"));
    }

    [Fact]
    public async Task Catching_up_after_a_fabric_outage_takes_the_stored_values_and_forgets_topics_cleared_meanwhile_but_keeps_what_changed_since()
    {
        await using var broker = new BrokerHarness();
        broker.Broker.TrackRetainedChanges();
        broker.Broker.RestoreRetained([Retained("state/a", "before"), Retained("state/b", "before"), Retained("state/c", "before")]);

        // Cut off from the fabric: elsewhere a was changed and b cleared (both only in the store). The catch-up read
        // begins; c changes elsewhere and reaches this node before the read's older value of c is applied.
        broker.Broker.BeginRetainedRestore();
        Assert.True(broker.Broker.StoreRemoteRetained(Retained("state/c", "newest")));
        broker.Broker.RestoreRetained([Retained("state/a", "changed"), Retained("state/c", "older"), Retained("state/d", "new")], catchUp: true);

        Assert.Equal(3, broker.Broker.RetainedCount);
        Assert.Equal("changed", await Matching(broker, "state/a"));
        Assert.Equal("newest", await Matching(broker, "state/c"));
        Assert.Equal("new", await Matching(broker, "state/d"));
    }

    private static async Task<string?> Matching(BrokerHarness broker, string topic)
    {
        await using var probe = await broker.ConnectAsync("probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await probe.SubscribeAsync(1, new TopicSubscription(topic, MqttQualityOfService.AtMostOnce));
        }
        catch (InvalidOperationException)
        {
            // A publish routed live from another session may reach the probe before its SUBACK (seen in CI):
            // no answer this time; the callers poll.
            return null;
        }

        return Encoding.UTF8.GetString((await probe.ExpectAsync<PublishPacket>()).Payload.Span);
    }

    private static MqttMessage Retained(string topic, string payload, DateTimeOffset? expiresAt = null) =>
        new(topic, Encoding.UTF8.GetBytes(payload), MqttQualityOfService.AtMostOnce, retain: true, MqttProperties.Empty, "elsewhere", expiresAt, publisher: null);
}
