using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Attack.Probes;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Gateway;

/// <summary>
/// Live control reaches a persistent session while it waits offline (over real mTLS): a revoked
/// identity's session ends with its delayed will discarded, and a quarantine judges what the session
/// holds, its will included, by the quarantine permissions.
/// </summary>
public sealed class GatewayOfflineSessionTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(600);

    // Long enough that live control surely lands first on a loaded machine; the control session's will bounds the wait.
    private const uint WillDelay = 5;
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private MqttGateway Gateway => _node.Get<MqttGateway>();

    private async Task<EnrolledIdentity> GoOfflineWithDelayedWillAsync(string id, string willTopic)
    {
        var device = await _node.EnrollDeviceAsync(id);
        var client = await _node.ConnectAsync(device);
        var will = new WillMessage(willTopic, Encoding.UTF8.GetBytes("will of " + id), MqttQualityOfService.AtMostOnce, false)
        {
            Properties = new MqttProperties { WillDelayInterval = WillDelay },
        };
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(id, cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 300 }, will: will)).ReasonCode);

        // Dropped without DISCONNECT: the will waits for its delay while the session waits offline.
        await client.DisposeAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(!Gateway.Broker.IsConnected(id)), $"{id} is offline");
        return device;
    }

    private async Task<MqttProbeClient> BackendAsync(string filter)
    {
        var backend = await _node.ConnectAsync(await _node.ServiceAsync("ingest"));
        Assert.Equal(MqttReasonCode.Success, (await backend.ConnectAsync("ingest-1")).ReasonCode);
        Assert.Equal([MqttReasonCode.Success], (await backend.SubscribeAsync(1, new TopicSubscription(filter, MqttQualityOfService.AtMostOnce))).ReasonCodes);
        return backend;
    }

    [Fact]
    public async Task The_delayed_will_of_an_offline_session_is_discarded_when_its_certificate_is_revoked()
    {
        await using var backend = await BackendAsync("devices/+/state");
        var revoked = await GoOfflineWithDelayedWillAsync("will-revoked", "devices/will-revoked/state");
        await GoOfflineWithDelayedWillAsync("will-trusted", "devices/will-trusted/state");
        var control = _node.Get<GatewayControl>();
        var handled = control.Handled;

        await _node.Get<RevocationService>().RevokeSerialAsync(revoked.Serial, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(control.Handled > handled), "live control handled the revocation");

        var will = await backend.ExpectAsync<PublishPacket>(TimeSpan.FromSeconds(30));
        Assert.Equal("devices/will-trusted/state", will.Topic);
        Assert.True(await backend.NothingWithinAsync(Quiet), "the will of a revoked identity's offline session was published");
    }

    [Fact]
    public async Task The_delayed_will_of_an_offline_session_is_judged_by_the_quarantine_not_the_former_permissions()
    {
        await using var backend = await BackendAsync("$share/ingest/devices/+/telemetry/#");
        await GoOfflineWithDelayedWillAsync("will-quarantined", "devices/will-quarantined/telemetry/last");
        await GoOfflineWithDelayedWillAsync("will-active", "devices/will-active/telemetry/last");

        await _node.Get<InventoryService>().QuarantineAsync("will-quarantined", "suspicious traffic", "test", CancellationToken.None);
        var changed = await _node.EventAsync("gateway.permissions-changed", e => e.DeviceId == "will-quarantined");

        Assert.Equal("false", changed.Details["connected"]);
        var will = await backend.ExpectAsync<PublishPacket>(TimeSpan.FromSeconds(30));
        Assert.Equal("devices/will-active/telemetry/last", will.Topic);
        Assert.True(await backend.NothingWithinAsync(Quiet), "a quarantined device's will went out through its former permissions");
    }

    [Fact]
    public async Task A_quarantine_while_the_session_is_offline_drops_its_command_subscription_for_good()
    {
        var device = await _node.EnrollDeviceAsync("away-1");
        var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id, cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 300 });
        await client.SubscribeAsync(1, new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtLeastOnce));
        await client.SendAsync(new DisconnectPacket());
        await client.WaitClosedAsync();
        await client.DisposeAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(!Gateway.Broker.IsConnected(device.Id)), "the device is offline");

        var inventory = _node.Get<InventoryService>();
        await inventory.QuarantineAsync(device.Id, "suspicious traffic", "test", CancellationToken.None);
        var quarantined = await _node.EventAsync("gateway.permissions-changed", e => e.DeviceId == device.Id && e.Details["template"] == "quarantine");
        Assert.Equal("1", quarantined.Details["subscriptions-dropped"]);
        await inventory.ReleaseAsync(device.Id, "cleared", "test", OperatorVerifiedRelease.Instance, CancellationToken.None);
        await _node.EventAsync("gateway.permissions-changed", e => e.DeviceId == device.Id && e.Details["template"] == "device");

        await using var backend = await _node.ConnectAsync(await _node.ServiceAsync("ingest"));
        await backend.ConnectAsync("ingest-1");
        await backend.SendAsync(new PublishPacket { Topic = $"devices/{device.Id}/commands/reboot", Payload = "x"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, PacketId = 1 });
        await backend.ExpectAsync<PublishResponsePacket>();
        await using var back = await _node.ConnectAsync(device);
        Assert.True((await back.ConnectAsync(device.Id, cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 300 })).SessionPresent);
        Assert.True(await back.NothingWithinAsync(Quiet), "the command subscription the quarantine dropped survived it offline");
    }
}
