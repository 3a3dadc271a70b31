using System.Text;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;
using static Rampart.Mqtt.Tests.Broker.BrokerDeliveryTests;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>Permissions that change while a session waits offline or while a SUBSCRIBE is being decided, and sessions ended for an identity no longer trusted.</summary>
public sealed class BrokerPermissionChangeTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_session_waiting_offline_loses_a_subscription_its_permissions_no_longer_allow()
    {
        await using var broker = new BrokerHarness();
        var device = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);
        await device.SubscribeAsync(1, new TopicSubscription("devices/dev/commands/#", MqttQualityOfService.AtLeastOnce));
        await device.SendAsync(new DisconnectPacket());
        await device.WaitClosedAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(!broker.Broker.IsConnected("dev")), "the session is offline");

        // Quarantined while away, and released again before the device comes back.
        broker.Forbidden.Add("devices/dev/commands/#");
        Assert.Equal(1, broker.Broker.RevalidateSubscriptions("dev"));
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("devices/dev/commands/unlock", "sent during the quarantine", MqttQualityOfService.AtLeastOnce, id: 1));
        await publisher.ExpectAsync<PublishResponsePacket>();
        broker.Forbidden.Remove("devices/dev/commands/#");

        var back = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);
        Assert.True(await back.NothingWithinAsync(Quiet), "a command sent during the quarantine was queued for the offline session");
        await publisher.SendAsync(Message("devices/dev/commands/unlock", "after", MqttQualityOfService.AtLeastOnce, id: 2));
        await publisher.ExpectAsync<PublishResponsePacket>();
        Assert.True(await back.NothingWithinAsync(Quiet), "the subscription the quarantine dropped survived it offline");
    }

    [Fact]
    public async Task Revalidating_an_offline_session_applies_the_change_to_the_policy_that_last_served_it()
    {
        await using var broker = new BrokerHarness();
        var device = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);
        await device.SubscribeAsync(1, new TopicSubscription("cmd", MqttQualityOfService.AtLeastOnce));
        await device.SendAsync(new DisconnectPacket());
        await device.WaitClosedAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(!broker.Broker.IsConnected("dev")), "the session is offline");

        IMqttClientPolicy? changed = null;
        var dropped = broker.Broker.RevalidateSubscriptions("dev", policy =>
        {
            changed = policy;
            broker.Forbidden.Add("cmd");
        });

        Assert.Equal(1, dropped);
        Assert.Equal("client:dev", changed?.Principal);
    }

    [Fact]
    public async Task A_permission_change_between_the_subscribe_check_and_the_tree_leaves_no_forbidden_subscription()
    {
        await using var broker = new BrokerHarness();
        var device = await broker.ConnectAsync("dev");
        broker.AfterSubscribeCheck = filter =>
        {
            // The quarantine lands after the filter was allowed and before it is added: forbidden, and revalidated at once.
            broker.Forbidden.Add(filter);
            broker.Broker.RevalidateSubscriptions("dev");
        };

        var suback = await device.SubscribeAsync(1, new TopicSubscription("devices/dev/commands/#", MqttQualityOfService.AtLeastOnce));

        Assert.Equal([MqttReasonCode.NotAuthorized], suback.ReasonCodes);
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("devices/dev/commands/unlock", "x", MqttQualityOfService.AtLeastOnce, id: 1));
        await publisher.ExpectAsync<PublishResponsePacket>();
        Assert.True(await device.NothingWithinAsync(Quiet), "a subscription forbidden before it reached the tree delivers");
    }

    [Fact]
    public async Task A_session_ended_while_its_subscribe_is_decided_leaves_no_ghost_member_in_a_share_group()
    {
        await using var broker = new BrokerHarness();
        var live = await broker.ConnectAsync("live");
        await live.SubscribeAsync(1, new TopicSubscription("$share/ingest/telemetry", MqttQualityOfService.AtMostOnce));
        var revoked = await broker.ConnectAsync("revoked");
        broker.AfterSubscribeCheck = _ =>
        {
            // The identity's certificate is revoked after its SUBSCRIBE was judged and before the tree takes it.
            broker.AfterSubscribeCheck = null;
            Assert.Equal(1, broker.Broker.EndSessions("client:revoked", _ => true, MqttReasonCode.NotAuthorized, "certificate revoked"));
        };

        await revoked.SendAsync(new SubscribePacket(1, [new TopicSubscription("$share/ingest/telemetry", MqttQualityOfService.AtMostOnce)]));
        await revoked.WaitClosedAsync();

        // Every message of the group goes to the member still there; a ghost would take its turns and lose them.
        var publisher = await broker.ConnectAsync("pub");
        for (var i = 0; i < 4; i++)
        {
            await publisher.SendAsync(Message("telemetry", $"m{i}", MqttQualityOfService.AtMostOnce));
        }

        for (var i = 0; i < 4; i++)
        {
            var published = await live.ExpectAsync<PublishPacket>();
            Assert.Equal($"m{i}", Encoding.UTF8.GetString(published.Payload.Span));
        }
    }

    [Fact]
    public async Task Ending_sessions_by_policy_reaches_an_offline_session_and_discards_its_delayed_will()
    {
        await using var broker = new BrokerHarness();
        var watcher = await broker.ConnectAsync("watcher");
        await watcher.SubscribeAsync(1, new TopicSubscription("wills/#", MqttQualityOfService.AtMostOnce));
        var will = new WillMessage("wills/dev", "gone"u8.ToArray(), MqttQualityOfService.AtMostOnce, false) { Properties = new MqttProperties { WillDelayInterval = 2 } };
        var trusted = new WillMessage("wills/other", "gone too"u8.ToArray(), MqttQualityOfService.AtMostOnce, false) { Properties = new MqttProperties { WillDelayInterval = 2 } };
        var revoked = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300, will: will);
        var other = await broker.ConnectAsync("other", cleanStart: false, sessionExpiry: 300, will: trusted);

        // Both drop without DISCONNECT: their wills wait for the delay.
        await revoked.DisposeAsync();
        await other.DisposeAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(!broker.Broker.IsConnected("dev") && !broker.Broker.IsConnected("other")), "both sessions are offline");

        Assert.Equal(1, broker.Broker.EndSessions("client:dev", policy => policy.Principal == "client:dev", MqttReasonCode.NotAuthorized, "certificate revoked"));

        // The trusted session's will comes after the same delay; the ended one's must not come at all.
        var published = await watcher.ExpectAsync<PublishPacket>(TimeSpan.FromSeconds(20));
        Assert.Equal(("wills/other", "gone too"), (published.Topic, Encoding.UTF8.GetString(published.Payload.Span)));
        Assert.True(await watcher.NothingWithinAsync(Quiet), "the will of a session ended for revocation was published");
        Assert.Equal(2, broker.Broker.SessionCount);
    }
}
