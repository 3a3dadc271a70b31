using System.Text;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using static Rampart.Mqtt.Tests.Broker.BrokerDeliveryTests;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>A session belongs to the identity that created it, and what it holds is re-checked when it resumes.</summary>
public sealed class BrokerSessionIdentityTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private static BrokerHarness WithPrincipals() => new() { PrincipalOf = connect => connect.UserName ?? "anonymous" };

    private static async Task<MqttProbeClient> ConnectAsAsync(BrokerHarness broker, string principal, string clientId, bool cleanStart, MqttReasonCode expected = MqttReasonCode.Success)
    {
        var client = broker.Open();
        await client.SendAsync(new ConnectPacket
        {
            ClientId = clientId, CleanStart = cleanStart, UserName = principal, KeepAliveSeconds = 60,
            Properties = new MqttProperties { SessionExpiryInterval = 300 },
        });
        var connAck = await client.ExpectAsync<ConnAckPacket>();
        Assert.Equal(expected, connAck.ReasonCode);
        return client;
    }

    [Fact]
    public async Task A_session_does_not_resume_for_another_identity_presenting_its_client_id()
    {
        await using var broker = WithPrincipals();
        var service = await ConnectAsAsync(broker, "service:ingest", "ingest-1", cleanStart: false);
        await service.SubscribeAsync(1, new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce));
        await service.SendAsync(new DisconnectPacket());
        await service.WaitClosedAsync();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("devices/d1/telemetry/t", "fleet data", MqttQualityOfService.AtLeastOnce, id: 1));
        await publisher.ExpectAsync<PublishResponsePacket>();

        var impostor = broker.Open();
        await impostor.SendAsync(new ConnectPacket { ClientId = "ingest-1", CleanStart = false, UserName = "device:ingest-1", Properties = new MqttProperties { SessionExpiryInterval = 300 } });
        var connAck = await impostor.ExpectAsync<ConnAckPacket>();

        Assert.False(connAck.SessionPresent);
        Assert.True(await impostor.NothingWithinAsync(Quiet), "another identity received the session's queued messages");
        await publisher.SendAsync(Message("devices/d2/telemetry/t", "more", MqttQualityOfService.AtLeastOnce, id: 2));
        await publisher.ExpectAsync<PublishResponsePacket>();
        Assert.True(await impostor.NothingWithinAsync(Quiet), "another identity inherited the session's subscriptions");
    }

    [Fact]
    public async Task The_owner_still_resumes_its_own_session()
    {
        await using var broker = WithPrincipals();
        var first = await ConnectAsAsync(broker, "service:ingest", "ingest-1", cleanStart: false);
        await first.SubscribeAsync(1, new TopicSubscription("cmd", MqttQualityOfService.AtLeastOnce));
        await first.SendAsync(new DisconnectPacket());
        await first.WaitClosedAsync();

        var again = broker.Open();
        await again.SendAsync(new ConnectPacket { ClientId = "ingest-1", CleanStart = false, UserName = "service:ingest", Properties = new MqttProperties { SessionExpiryInterval = 300 } });
        Assert.True((await again.ExpectAsync<ConnAckPacket>()).SessionPresent);
    }

    [Fact]
    public async Task A_live_connection_of_one_identity_is_not_taken_over_by_another()
    {
        await using var broker = WithPrincipals();
        var owner = await ConnectAsAsync(broker, "service:ingest", "ingest-1", cleanStart: true);

        var other = await ConnectAsAsync(broker, "device:ingest-1", "ingest-1", cleanStart: true, MqttReasonCode.ClientIdentifierNotValid);

        await other.WaitClosedAsync();
        Assert.False(owner.Closed);
        await owner.SendAsync(PingReqPacket.Instance);
        Assert.IsType<PingRespPacket>(await owner.ReceiveAsync());
    }

    [Fact]
    public async Task A_resumed_session_loses_the_subscriptions_and_queued_messages_its_current_permissions_refuse()
    {
        await using var broker = new BrokerHarness();
        var device = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);
        await device.SubscribeAsync(1,
            new TopicSubscription("devices/dev/commands/#", MqttQualityOfService.AtLeastOnce),
            new TopicSubscription("devices/dev/config", MqttQualityOfService.AtLeastOnce));
        await device.SendAsync(new DisconnectPacket());
        await device.WaitClosedAsync();
        var publisher = await broker.ConnectAsync("pub");
        await publisher.SendAsync(Message("devices/dev/commands/unlock", "queued command", MqttQualityOfService.AtLeastOnce, id: 1));
        await publisher.ExpectAsync<PublishResponsePacket>();
        await publisher.SendAsync(Message("devices/dev/config", "queued config", MqttQualityOfService.AtLeastOnce, id: 2));
        await publisher.ExpectAsync<PublishResponsePacket>();

        // Quarantined while away: commands are no longer permitted.
        broker.Forbidden.Add("devices/dev/commands/#");
        var back = await broker.ConnectAsync("dev", cleanStart: false, sessionExpiry: 300);

        var delivered = await back.ExpectAsync<PublishPacket>();
        Assert.Equal(("devices/dev/config", "queued config"), (delivered.Topic, Encoding.UTF8.GetString(delivered.Payload.Span)));
        await back.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, delivered.PacketId));
        Assert.True(await back.NothingWithinAsync(Quiet), "a queued message the permissions refuse was delivered");
        await publisher.SendAsync(Message("devices/dev/commands/unlock", "new command", MqttQualityOfService.AtLeastOnce, id: 3));
        await publisher.ExpectAsync<PublishResponsePacket>();
        Assert.True(await back.NothingWithinAsync(Quiet), "a restored subscription the permissions refuse still delivers");
        Assert.Contains("dev dropped no-longer-permitted", broker.Observed);
    }

    [Fact]
    public async Task A_connection_refused_at_the_last_word_gets_a_CONNACK_with_the_reason_and_no_session()
    {
        await using var broker = new BrokerHarness { SessionRule = () => Admission.Deny(MqttReasonCode.NotAuthorized, "certificate 01 was revoked") };
        var client = broker.Open();

        var connAck = await client.ConnectAsync("dev");

        Assert.Equal(MqttReasonCode.NotAuthorized, connAck.ReasonCode);
        Assert.Equal("certificate 01 was revoked", connAck.Properties.ReasonString);
        await client.WaitClosedAsync();
        Assert.Equal(0, broker.Broker.SessionCount);
    }

    [Fact]
    public async Task A_fault_in_the_hosts_policy_surfaces_instead_of_passing_as_a_transport_failure()
    {
        await using var broker = new BrokerHarness { PublishRule = (_, _) => throw new InvalidOperationException("a logic bug") };
        var client = await broker.ConnectAsync("dev");

        await client.SendAsync(Message("t", "x"));

        var fault = await Assert.ThrowsAsync<InvalidOperationException>(broker.AllConnectionsEndAsync);
        Assert.Equal("a logic bug", fault.Message);
        await client.WaitClosedAsync();
    }
}
