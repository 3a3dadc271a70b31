using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Gateway;

/// <summary>Where the gateway meets the fleet: sessions bound to identities, device and service ids disjoint, revocation racing CONNECT, supervised live control, reports attributed to their publisher.</summary>
public sealed class GatewaySessionBindingTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(new Dictionary<string, string?>
    {
        // The service may also publish state (as the issue's probe configured it): it still cannot speak for a device.
        ["Rampart:Gateway:Services:ingest:Publish:1"] = "devices/+/state",
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static PublishPacket Publish(string topic, ushort id, string payload = "x") =>
        new() { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(payload), QoS = MqttQualityOfService.AtLeastOnce, PacketId = id };

    [Fact]
    public async Task A_device_id_a_service_pattern_covers_cannot_be_registered()
    {
        var refused = await Assert.ThrowsAsync<FleetException>(() => _node.Get<InventoryService>().AddAsync(new NewDevice("ingest-1"), "test", CancellationToken.None));

        Assert.Equal(FleetErrorKind.Invalid, refused.Kind);
        Assert.Contains("reserved for the client ids of service ingest", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_registered_before_a_service_pattern_covered_it_cannot_inherit_the_services_session()
    {
        // The service holds a persistent session with the fleet's telemetry share, then goes away.
        var service = await _node.ServiceAsync("ingest");
        await using (var backend = await _node.ConnectAsync(service))
        {
            Assert.Equal(MqttReasonCode.Success, (await backend.ConnectAsync("ingest-1", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 })).ReasonCode);
            await backend.SubscribeAsync(1, new TopicSubscription("$share/ingest/devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce));
            await backend.SendAsync(new DisconnectPacket());
            await backend.WaitClosedAsync();
        }

        // A device that was registered as ingest-1 before the pattern existed (straight into the store).
        var impostor = await EnrollUnreservedAsync("ingest-1");
        await using var client = await _node.ConnectAsync(impostor);
        var connAck = await client.ConnectAsync("ingest-1", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 });

        Assert.Equal(MqttReasonCode.ClientIdentifierNotValid, connAck.ReasonCode);
        Assert.False(connAck.SessionPresent);
        var refused = await _node.EventAsync("gateway.refused", e => e.Details["reason"] == "id-reserved-for-service");
        Assert.Equal("ingest-1", refused.DeviceId);
    }

    [Fact]
    public async Task A_session_resumed_after_a_quarantine_keeps_neither_its_command_subscription_nor_the_commands_queued_for_it()
    {
        var device = await _node.EnrollDeviceAsync("away-1");
        var persistent = new MqttProperties { SessionExpiryInterval = 3600 };
        await using (var client = await _node.ConnectAsync(device))
        {
            await client.ConnectAsync(device.Id, cleanStart: false, properties: persistent);
            await client.SubscribeAsync(1, new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtLeastOnce));
            await client.SendAsync(new DisconnectPacket());
            await client.WaitClosedAsync();
        }

        await _node.Get<InventoryService>().QuarantineAsync(device.Id, "tamper", "test", CancellationToken.None);
        var service = await _node.ServiceAsync("ingest");
        await using var backend = await _node.ConnectAsync(service);
        await backend.ConnectAsync("ingest-commander");
        await backend.SendAsync(Publish($"devices/{device.Id}/commands/unlock", 1));
        await backend.ExpectAsync<PublishResponsePacket>();

        await using var back = await _node.ConnectAsync(device);
        var connAck = await back.ConnectAsync(device.Id, cleanStart: false, properties: persistent);

        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        Assert.True(connAck.SessionPresent);
        Assert.True(await back.NothingWithinAsync(Quiet), "a quarantined device received a command queued while it was away");
        await backend.SendAsync(Publish($"devices/{device.Id}/commands/unlock", 2));
        await backend.ExpectAsync<PublishResponsePacket>();
        Assert.True(await back.NothingWithinAsync(Quiet), "a quarantined device kept its command subscription");
    }

    [Fact]
    public async Task A_certificate_revoked_between_the_handshake_and_CONNECT_gets_no_session()
    {
        var device = await _node.EnrollDeviceAsync("gate-1");
        await using var client = await _node.ConnectAsync(device);
        var control = _node.Get<GatewayControl>();
        var handled = control.Handled;

        // TLS is done (the identity was resolved at the handshake); the revocation lands before CONNECT.
        await _node.Get<RevocationService>().RevokeSerialAsync(device.Serial, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(control.Handled > handled), "live control handled the revocation");
        var connAck = await client.ConnectAsync(device.Id);

        Assert.Equal(MqttReasonCode.NotAuthorized, connAck.ReasonCode);
        Assert.Contains("revoked", connAck.Properties.ReasonString, StringComparison.Ordinal);
        Assert.False(_node.Get<MqttGateway>().Broker.IsConnected(device.Id));
    }

    [Fact]
    public async Task A_device_quarantined_between_the_handshake_and_CONNECT_connects_with_quarantine_permissions()
    {
        var device = await _node.EnrollDeviceAsync("gate-2");
        await using var client = await _node.ConnectAsync(device);
        var control = _node.Get<GatewayControl>();
        var handled = control.Handled;

        await _node.Get<InventoryService>().QuarantineAsync(device.Id, "tamper", "test", CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(control.Handled > handled), "live control handled the quarantine");
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);

        await client.SendAsync(Publish($"devices/{device.Id}/telemetry/t", 1));
        Assert.Equal(MqttReasonCode.NotAuthorized, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        await client.SendAsync(Publish($"devices/{device.Id}/state", 2, "{}"));
        Assert.Equal(MqttReasonCode.Success, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
    }

    [Fact]
    public async Task Live_control_survives_a_fault_applying_one_event_and_applies_the_next()
    {
        var first = await _node.EnrollDeviceAsync("ctl-1");
        var second = await _node.EnrollDeviceAsync("ctl-2");
        await using var firstClient = await _node.ConnectAsync(first);
        await firstClient.ConnectAsync(first.Id);
        await using var secondClient = await _node.ConnectAsync(second);
        await secondClient.ConnectAsync(second.Id);
        var control = _node.Get<GatewayControl>();
        var apply = control.Applier;
        control.Applier = fleetEvent =>
        {
            control.Applier = apply;
            throw new NullReferenceException("injected fault");
        };

        await _node.Get<RevocationService>().RevokeSerialAsync(first.Serial, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(control.Failures == 1), "the injected fault was counted");
        await _node.Get<RevocationService>().RevokeSerialAsync(second.Serial, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);

        var disconnect = Assert.IsType<DisconnectPacket>(Assert.Single(await secondClient.WaitClosedAsync()));
        Assert.Equal(MqttReasonCode.NotAuthorized, disconnect.ReasonCode);
        Assert.Equal(1, control.Failures);
    }

    [Fact]
    public async Task A_service_allowed_to_publish_state_cannot_forge_a_devices_posture_report()
    {
        var device = await _node.EnrollDeviceAsync("kiosk-9");
        var service = await _node.ServiceAsync("ingest");
        await using var backend = await _node.ConnectAsync(service);
        Assert.Equal(MqttReasonCode.Success, (await backend.ConnectAsync("ingest-forger")).ReasonCode);

        await backend.SendAsync(Publish($"devices/{device.Id}/state", 1, """{"firmwareVersion":"9.9.9","tamperFlags":["case-open"]}"""));
        Assert.Equal(MqttReasonCode.Success, (await backend.ExpectAsync<PublishResponsePacket>()).ReasonCode);

        var refused = await _node.EventAsync("device.report-not-attributed", e => e.DeviceId == device.Id);
        Assert.Equal("service:ingest", refused.Details["publisher"]);
        var events = (await _node.Get<ISecurityEventStore>().ListAsync(null, 1000, CancellationToken.None)).Select(s => s.Event);
        Assert.DoesNotContain(events, e => e.Kind == "device.tamper-reported" && e.DeviceId == device.Id);

        // The device's own report is judged as before.
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        await client.SendAsync(Publish($"devices/{device.Id}/state", 1, """{"firmwareVersion":"1.0.0","tamperFlags":["case-open"]}"""));
        await client.ExpectAsync<PublishResponsePacket>();
        await _node.EventAsync("device.tamper-reported", e => e.DeviceId == device.Id);
    }

    [Fact]
    public async Task A_service_cannot_record_a_devices_firmware_through_an_update_report()
    {
        var victim = await _node.EnrollDeviceAsync("meter-77");
        var witness = await _node.EnrollDeviceAsync("meter-78");
        var service = await _node.ServiceAsync("ingest");
        await using var backend = await _node.ConnectAsync(service);
        await backend.ConnectAsync("ingest-forger-2");

        await backend.SendAsync(Publish($"devices/{victim.Id}/state", 1, """{"update":{"installed":{"version":"6.6.6","svn":99}}}"""));
        await backend.ExpectAsync<PublishResponsePacket>();

        // Reports are handled in order: once the witness's own report (sent after) is recorded, the forged one was handled.
        await using var client = await _node.ConnectAsync(witness);
        await client.ConnectAsync(witness.Id);
        await client.SendAsync(Publish($"devices/{witness.Id}/state", 1, """{"update":{"installed":{"version":"1.2.3","svn":1}}}"""));
        await client.ExpectAsync<PublishResponsePacket>();
        var store = _node.Get<Rampart.Fleet.Updates.IRolloutStore>();
        await Eventually.HoldsAsync(async () => (await store.ReportedFirmwareAsync([witness.Id], CancellationToken.None)).ContainsKey(witness.Id), "the witness's own report is recorded");

        Assert.False((await store.ReportedFirmwareAsync([victim.Id], CancellationToken.None)).ContainsKey(victim.Id), "a service recorded a device's firmware");
        Assert.Equal("service:ingest", (await _node.EventAsync("device.report-not-attributed", e => e.DeviceId == victim.Id)).Details["publisher"]);
    }

    private async Task<EnrolledIdentity> EnrollUnreservedAsync(string id)
    {
        var now = DateTimeOffset.UtcNow;
        // Straight into the store, as a device registered before the service pattern existed would be.
        var added = await _node.Get<Fleet.Audit.IAuditLog>().CommitAsync(async (transaction, cancellationToken) =>
            Fleet.Audit.AuditedOutcome<bool>.Done(
                await _node.Get<IDeviceStore>().TryAddAsync(transaction, new Fleet.Inventory.Device(id, null, null, null, null, null, null, [], DeviceState.Registered, null, now, now), cancellationToken),
                new Fleet.Audit.AuditRecord("test", "device.added", $"device/{id}", Fleet.Audit.AuditOutcome.Success)));
        Assert.True(added.Value);
        var token = await _node.Get<BootstrapTokens>().IssueAsync(id, "test", CancellationToken.None);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await _node.Get<EnrollmentService>().EnrollAsync(
            EstOperation.Enroll, new EstCredentials(id, token.Token, null, "127.0.0.1"), FleetHarness.Csr(key), CancellationToken.None);
        Assert.Null(result.Refusal);
        return _node.Identity(id, result.Certificate!, key);
    }
}
