using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using Rampart.Cluster.Fabric;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Tests.Broker;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Cluster.Tests.Fabric;

/// <summary>Two brokers joined by the fabric over a real nats-server (the run's), each with its own subject prefix per test.</summary>
public sealed class TwoBrokersOverNatsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<IAsyncDisposable> _owned = [];

    private (BrokerHarness Harness, NatsBrokerFabric Fabric) _a;
    private (BrokerHarness Harness, NatsBrokerFabric Fabric) _b;

    public async Task InitializeAsync()
    {
        _a = await NodeAsync("a");
        _b = await NodeAsync("b");
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task A_message_published_on_one_node_reaches_a_subscriber_on_the_other_once_even_through_overlapping_filters()
    {
        var subscriber = await _b.Harness.ConnectAsync("service-1");
        await subscriber.SubscribeAsync(1, new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtMostOnce), new TopicSubscription("devices/#", MqttQualityOfService.AtMostOnce));
        var local = await _a.Harness.ConnectAsync("local-1");
        await local.SubscribeAsync(1, new TopicSubscription("devices/#", MqttQualityOfService.AtMostOnce));
        var device = await _a.Harness.ConnectAsync("d1");

        await PublishUntilReceivedAsync(device, subscriber, "devices/d1/telemetry/t");

        // One copy each: none from the second overlapping filter on B, none from A's own echo.
        var marker = await PublishUntilReceivedAsync(device, subscriber, "devices/d1/telemetry/marker");
        Assert.True(await subscriber.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), $"a second copy of {marker}");
        var seenLocally = new List<string>();
        while (await TryReceiveAsync(local, TimeSpan.FromMilliseconds(300)) is PublishPacket publish)
        {
            seenLocally.Add(System.Text.Encoding.UTF8.GetString(publish.Payload.Span));
        }

        Assert.Equal(seenLocally.Distinct().Count(), seenLocally.Count);
    }

    [Fact]
    public async Task A_node_receives_only_what_its_clients_subscribed_to()
    {
        var subscriber = await _b.Harness.ConnectAsync("service-1");
        await subscriber.SubscribeAsync(1, new TopicSubscription("wanted/#", MqttQualityOfService.AtMostOnce));
        var device = await _a.Harness.ConnectAsync("d1");

        // NATS keeps one publisher's order: when "wanted" arrives, "unwanted" (sent first) would have.
        await device.SendAsync(new PublishPacket { Topic = "unwanted/x", Payload = "u"u8.ToArray() });
        await PublishUntilReceivedAsync(device, subscriber, "wanted/x");
        var before = _b.Fabric.Received;
        await device.SendAsync(new PublishPacket { Topic = "unwanted/y", Payload = "u"u8.ToArray() });
        await PublishUntilReceivedAsync(device, subscriber, "wanted/y");
        Assert.Equal(before + 1, _b.Fabric.Received);
    }

    [Fact]
    public async Task A_node_sends_to_NATS_only_what_another_node_announced_interest_in()
    {
        // Nodes of their own, without the warm-up during which everything is forwarded.
        var quiet = new ClusterFabricOptions { NodeId = "x", InterestWarmUp = TimeSpan.Zero };
        var (c, fabricC) = await NodeAsync("c", fabricOptions: quiet);
        var (d, _) = await NodeAsync("d", fabricOptions: quiet);
        var device = await c.ConnectAsync("d1");
        var probe = await c.ConnectAsync("probe-1");
        await probe.SubscribeAsync(1, new TopicSubscription("quiet/#", MqttQualityOfService.AtMostOnce));

        // Nobody on another node wants quiet/…: it stays on c (its local subscriber still gets it).
        var unwanted = fabricC.Unwanted;
        await PublishUntilReceivedAsync(device, probe, "quiet/x");
        await Eventually.HoldsAsync(() => Task.FromResult(fabricC.Unwanted > unwanted), "c kept a message no other node wanted", Patience);

        // A subscriber on d: its announcement reaches c and the messages cross.
        var subscriber = await d.ConnectAsync("service-1");
        await subscriber.SubscribeAsync(1, new TopicSubscription("quiet/#", MqttQualityOfService.AtMostOnce));
        await PublishUntilReceivedAsync(device, subscriber, "quiet/y");

        // It goes away: c stops sending again.
        await subscriber.SendAsync(new UnsubscribePacket(2, ["quiet/#"]));
        await Eventually.HoldsAsync(async () =>
        {
            var before = fabricC.Unwanted;
            await device.SendAsync(new PublishPacket { Topic = "quiet/z", Payload = "z"u8.ToArray() });
            await Task.Delay(50);
            return fabricC.Unwanted > before;
        }, "c keeps quiet/… once d's subscriber left", Patience);
    }

    [Fact]
    public async Task A_publisher_faster_than_NATS_is_paused_so_the_fabric_drops_nothing()
    {
        var small = new ClusterFabricOptions { NodeId = "x", OutboundCapacity = 64, InterestWarmUp = TimeSpan.Zero };
        var (c, fabricC) = await NodeAsync("c", fabricOptions: small);
        var (d, fabricD) = await NodeAsync("d", fabricOptions: small);
        var subscriber = await d.ConnectAsync("service-1");
        await subscriber.SubscribeAsync(1, new TopicSubscription("burst/#", MqttQualityOfService.AtMostOnce));
        var device = await c.ConnectAsync("d1");
        await PublishUntilReceivedAsync(device, subscriber, "burst/probe");

        // Late copies of the probes arrive before the count starts, so only the burst is counted.
        await Eventually.HoldsAsync(() => subscriber.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), "the probes settled", Patience);

        // 5,000 QoS 0 messages in one write: far more than the 64 the outbound queue holds.
        const int Burst = 5_000;
        var received = fabricD.Received;
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        using (var encoder = new Rampart.Mqtt.Codec.MqttEncoder())
        {
            for (var i = 0; i < Burst; i++)
            {
                encoder.Encode(new PublishPacket { Topic = "burst/x", Payload = BitConverter.GetBytes(i) }, device.Version, bytes);
            }
        }

        await device.SendRawAsync(bytes.WrittenMemory);
        await Eventually.HoldsAsync(() => Task.FromResult(fabricD.Received - received >= Burst), $"d took all {Burst} from NATS", Patience);
        Assert.Equal(0, fabricC.Dropped);
    }

    [Fact]
    public async Task A_shared_subscription_with_members_on_both_nodes_gets_each_message_once()
    {
        var memberA = await _a.Harness.ConnectAsync("worker-a");
        await memberA.SubscribeAsync(1, new TopicSubscription("$share/workers/jobs/+", MqttQualityOfService.AtMostOnce));
        var memberB = await _b.Harness.ConnectAsync("worker-b");
        await memberB.SubscribeAsync(1, new TopicSubscription("$share/workers/jobs/+", MqttQualityOfService.AtMostOnce));
        var plain = await _b.Harness.ConnectAsync("watcher");
        await plain.SubscribeAsync(1, new TopicSubscription("jobs/#", MqttQualityOfService.AtMostOnce));
        var producer = await _a.Harness.ConnectAsync("producer");

        // Interest travels to NATS asynchronously: wait until a job reaches the watcher on B.
        await PublishUntilReceivedAsync(producer, plain, "jobs/warmup");
        var got = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            await producer.SendAsync(new PublishPacket { Topic = "jobs/" + i, Payload = System.Text.Encoding.UTF8.GetBytes("job-" + i) });
        }

        var deadline = DateTime.UtcNow + Patience;
        while (got.Count(g => g.StartsWith("job-", StringComparison.Ordinal)) < 40 && DateTime.UtcNow < deadline)
        {
            foreach (var member in new[] { memberA, memberB })
            {
                if (await TryReceiveAsync(member, TimeSpan.FromMilliseconds(100)) is PublishPacket publish)
                {
                    got.Add(System.Text.Encoding.UTF8.GetString(publish.Payload.Span));
                }
            }
        }

        var jobs = got.Where(g => g.StartsWith("job-", StringComparison.Ordinal)).ToList();
        Assert.Equal(40, jobs.Count);
        Assert.Equal(40, jobs.Distinct().Count());
        Assert.True(await memberA.NothingWithinAsync(TimeSpan.FromMilliseconds(300)) && await memberB.NothingWithinAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_client_reconnecting_through_the_other_node_has_its_old_connection_closed_as_taken_over()
    {
        var old = await _a.Harness.ConnectAsync("d1");
        _ = await _b.Harness.ConnectAsync("d1");

        var closing = await old.WaitClosedAsync(Patience);
        Assert.Equal(MqttReasonCode.SessionTakenOver, Assert.IsType<DisconnectPacket>(Assert.Single(closing)).ReasonCode);
        await Eventually.HoldsAsync(() => Task.FromResult(!_a.Harness.Broker.IsConnected("d1") && _a.Harness.Broker.SessionCount == 0), "node a ended its session of d1", Patience);
        Assert.True(_b.Harness.Broker.IsConnected("d1"));
    }

    [Fact]
    public async Task Another_identity_with_the_same_client_id_on_the_other_node_does_not_cut_the_session_off()
    {
        var holder = await _a.Harness.ConnectAsync("d1");
        _b.Harness.PrincipalOf = _ => "device:someone-else";
        _ = await _b.Harness.ConnectAsync("d1");

        // The announcement reached A when a later one (a real takeover of d2) did.
        var d2 = await _a.Harness.ConnectAsync("d2");
        _b.Harness.PrincipalOf = connect => "client:" + connect.ClientId;
        _ = await _b.Harness.ConnectAsync("d2");
        await d2.WaitClosedAsync(Patience);
        Assert.True(_a.Harness.Broker.IsConnected("d1"));
        Assert.False(holder.Closed);
    }

    [Fact]
    public async Task A_retained_message_set_on_one_node_is_sent_to_a_later_subscriber_on_the_other_and_cleared_there_too()
    {
        var device = await _a.Harness.ConnectAsync("d1");
        await device.SendAsync(new PublishPacket { Topic = "devices/d1/state", Payload = "online"u8.ToArray(), Retain = true });
        await Eventually.HoldsAsync(() => Task.FromResult(_b.Harness.Broker.RetainedCount == 1), "node b keeps the retained message", Patience);

        var late = await _b.Harness.ConnectAsync("service-1");
        await late.SubscribeAsync(1, new TopicSubscription("devices/+/state", MqttQualityOfService.AtMostOnce));
        var retained = await late.ExpectAsync<PublishPacket>(Patience);
        Assert.True(retained.Retain);
        Assert.Equal("online", System.Text.Encoding.UTF8.GetString(retained.Payload.Span));

        await device.SendAsync(new PublishPacket { Topic = "devices/d1/state", Payload = ReadOnlyMemory<byte>.Empty, Retain = true });
        await Eventually.HoldsAsync(() => Task.FromResult(_b.Harness.Broker.RetainedCount == 0), "node b cleared the retained message", Patience);
    }

    [Fact]
    public async Task A_retained_copy_older_than_the_value_a_node_holds_is_ignored_and_a_newer_one_is_taken()
    {
        var device = await _a.Harness.ConnectAsync("d1");
        await device.SendAsync(new PublishPacket { Topic = "devices/d1/state", Payload = "from a"u8.ToArray(), Retain = true });
        await Eventually.HoldsAsync(() => Task.FromResult(_b.Harness.Broker.RetainedCount == 1), "node b keeps the retained message", Patience);

        // A third node's copies, as they arrive on the wire: one set an hour before a's (it lost the race
        // and arrives late), then a marker on another topic so we know the first was handled.
        await using var other = new NatsConnection(new NatsOpts { Url = (await NatsServer.Shared).Url.ToString() });
        using var encoder = new Rampart.Mqtt.Codec.MqttEncoder();
        async Task SendCopyAsync(string topic, string payload, DateTimeOffset at, long sequence)
        {
            var copy = new Rampart.Mqtt.Broker.MqttMessage(topic, System.Text.Encoding.UTF8.GetBytes(payload), MqttQualityOfService.AtMostOnce, retain: true,
                MqttProperties.Empty, "d9", expiresAt: null, publisher: "d9").StampRetainedAt(at);
            var (body, headers) = RemoteMessages.Encode(copy, "node-z", sequence, encoder);
            await other.PublishAsync(_prefix + ".ctl.retained", body, headers);
        }

        await SendCopyAsync("devices/d1/state", "stale from z", DateTimeOffset.UtcNow - TimeSpan.FromHours(1), 1);
        await SendCopyAsync("devices/d9/state", "marker", DateTimeOffset.UtcNow, 2);
        await Eventually.HoldsAsync(() => Task.FromResult(_b.Harness.Broker.RetainedCount == 2), "node b took the marker", Patience);
        Assert.Equal("from a", await RetainedOnBAsync("b-late-1"));

        await SendCopyAsync("devices/d1/state", "newer from z", DateTimeOffset.UtcNow + TimeSpan.FromHours(1), 3);
        await Eventually.HoldsAsync(async () => await RetainedOnBAsync("b-late-" + Guid.NewGuid().ToString("N")[..6]) == "newer from z", "node b took the newer copy", Patience);
    }

    [Fact]
    public async Task The_will_of_a_client_that_drops_off_one_node_reaches_a_subscriber_on_the_other()
    {
        var watcher = await _b.Harness.ConnectAsync("service-1");
        await watcher.SubscribeAsync(1, new TopicSubscription("devices/#", MqttQualityOfService.AtMostOnce));
        var probe = await _a.Harness.ConnectAsync("probe");
        await PublishUntilReceivedAsync(probe, watcher, "devices/probe/state");

        var device = await _a.Harness.ConnectAsync("d1", will: new WillMessage("devices/d1/state", "offline"u8.ToArray(), MqttQualityOfService.AtMostOnce, Retain: false));
        await device.DisposeAsync();

        var deadline = DateTime.UtcNow + Patience;
        PublishPacket? will = null;
        while (will is null && DateTime.UtcNow < deadline)
        {
            will = await TryReceiveAsync(watcher, TimeSpan.FromMilliseconds(200)) is PublishPacket { Topic: "devices/d1/state" } got ? got : null;
        }

        Assert.NotNull(will);
        Assert.Equal("offline", System.Text.Encoding.UTF8.GetString(will.Payload.Span));
    }

    [Fact]
    public async Task A_message_above_the_NATS_payload_limit_stays_on_its_node_counted_and_later_ones_still_cross()
    {
        var big = await NodeAsync("big", new Rampart.Mqtt.Broker.BrokerOptions { MaximumPacketSize = 4 * 1024 * 1024 });
        var subscriber = await _b.Harness.ConnectAsync("service-1");
        await subscriber.SubscribeAsync(1, new TopicSubscription("devices/#", MqttQualityOfService.AtMostOnce));
        var device = await big.Harness.ConnectAsync("d1", maximumPacketSize: 4 * 1024 * 1024);
        await PublishUntilReceivedAsync(device, subscriber, "devices/d1/state");

        // nats-server's default max_payload is 1 MiB.
        await device.SendAsync(new PublishPacket { Topic = "devices/d1/blob", Payload = new byte[2 * 1024 * 1024] });
        await Eventually.HoldsAsync(() => Task.FromResult(big.Fabric.Dropped == 1), "the oversized message was counted as dropped", Patience);
        await PublishUntilReceivedAsync(device, subscriber, "devices/d1/after");
    }

    // What a subscriber arriving on node b now gets as devices/d1/state's retained message.
    private async Task<string> RetainedOnBAsync(string clientId)
    {
        await using var late = await _b.Harness.ConnectAsync(clientId);
        await late.SubscribeAsync(1, new TopicSubscription("devices/d1/state", MqttQualityOfService.AtMostOnce));
        var retained = await late.ExpectAsync<PublishPacket>(Patience);
        return System.Text.Encoding.UTF8.GetString(retained.Payload.Span);
    }

    private async Task<(BrokerHarness Harness, NatsBrokerFabric Fabric)> NodeAsync(string id, Rampart.Mqtt.Broker.BrokerOptions? options = null, ClusterFabricOptions? fabricOptions = null)
    {
        var harness = new BrokerHarness(options);
        _owned.Add(harness);
        var nats = new NatsConnection(new NatsOpts { Url = (await NatsServer.Shared).Url.ToString() });
        _owned.Add(nats);
        await nats.ConnectAsync();
        var fabric = new NatsBrokerFabric(nats, harness.Broker, (fabricOptions ?? new ClusterFabricOptions { NodeId = id }) with { NodeId = id, Prefix = _prefix }, NullLogger.Instance);
        _owned.Add(fabric);
        await fabric.StartAsync(CancellationToken.None);
        return (harness, fabric);
    }

    // Interest reaches NATS asynchronously after SUBACK, so the first messages may go nowhere (core
    // NATS, at most once): publish until one arrives. Returns the payload that arrived.
    private static async Task<string> PublishUntilReceivedAsync(Rampart.Attack.Probes.MqttProbeClient publisher, Rampart.Attack.Probes.MqttProbeClient subscriber, string topic)
    {
        var deadline = DateTime.UtcNow + Patience;
        for (var attempt = 0; DateTime.UtcNow < deadline; attempt++)
        {
            var payload = $"{topic}#{attempt}";
            await publisher.SendAsync(new PublishPacket { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(payload) });
            while (await TryReceiveAsync(subscriber, TimeSpan.FromMilliseconds(200)) is PublishPacket publish)
            {
                if (publish.Topic == topic)
                {
                    return System.Text.Encoding.UTF8.GetString(publish.Payload.Span);
                }
            }
        }

        throw new TimeoutException($"nothing on {topic} reached the subscriber within {Patience}");
    }

    private static async Task<MqttPacket?> TryReceiveAsync(Rampart.Attack.Probes.MqttProbeClient client, TimeSpan wait)
    {
        try
        {
            return await client.ReceiveAsync(wait);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
