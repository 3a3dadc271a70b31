using Rampart.Attack.Probes;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Posture.Zones;
using Rampart.Server.Gateway;
using Rampart.Server.Posture;
using Rampart.Server.Tests.Gateway;
using Rampart.Storage;
using Rampart.Testing;

namespace Rampart.Server.Tests.Cluster;

/// <summary>
/// Issue 15 "Live control across nodes" for issue 18's zones: three nodes on one PostgreSQL and one NATS, a device
/// connected over real mutual TLS to node B, its confinement, release or zone move made on node A (and its quarantine
/// on node C); the live session on B follows without reconnecting, refusing and accepting publishes with MQTT 5 codes.
/// Topics tell the templates apart: the device template publishes events and telemetry, the confined one telemetry
/// only, the quarantine one neither (its state only).
/// </summary>
public sealed class ClusterZonesTests : IAsyncLifetime
{
    private ClusterOfThree _cluster = null!;
    private ushort _packetId;

    public async Task InitializeAsync()
    {
        _cluster = await ClusterOfThree.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Posture:Zones:ConfineUnsupported"] = "false",

            // High enough that probing publishes never meet the rate; the value itself is checked on node B.
            ["Rampart:Posture:Zones:Zones:confined:MessagesPerSecond"] = "500",
            ["Rampart:Posture:Zones:Zones:plant:MessagesPerSecond"] = "300",
        });
        await _cluster.AllJoinedAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Confining_a_device_on_node_A_narrows_its_live_session_on_node_B_and_releasing_it_there_widens_it_again()
    {
        var device = await _cluster.First.EnrollDeviceAsync("zone-1");
        await using var client = await _cluster.ConnectAsync(1, device, device.Id);
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(client, $"devices/{device.Id}/events/boot"));
        var confinement = _cluster.Get<ConfinementService>(0);

        Assert.True(await confinement.ConfineAsync(device.Id, "legacy controller", "alice", CancellationToken.None));
        await UntilAsync(client, $"devices/{device.Id}/events/boot", MqttReasonCode.NotAuthorized, "node B refuses the confined device's events");
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(client, $"devices/{device.Id}/telemetry/t"));
        Assert.Equal(500, _cluster.Get<MqttGateway>(1).Limits.ZoneLimitOf(device.Principal())?.MessagesPerSecond);
        await Eventually.HoldsAsync(async () => (await SwapsAsync(device.Id)).Contains(("confined", "1")), "node B audits the swap of the session it holds", ClusterOfThree.Patience);

        await confinement.ReleaseAsync(device.Id, "replaced", "alice", CancellationToken.None);
        await UntilAsync(client, $"devices/{device.Id}/events/boot", MqttReasonCode.Success, "node B accepts the released device's events");
        Assert.Null(_cluster.Get<MqttGateway>(1).Limits.ZoneLimitOf(device.Principal()));
        Assert.False(client.Closed);
    }

    [Fact]
    public async Task A_zone_move_on_node_A_gives_the_live_session_on_node_B_the_new_zones_rate()
    {
        var device = await _cluster.First.EnrollDeviceAsync("zone-2");
        await using var client = await _cluster.ConnectAsync(1, device, device.Id);
        Assert.Null(_cluster.Get<MqttGateway>(1).Limits.ZoneLimitOf(device.Principal()));

        await _cluster.Get<ConfinementService>(0).MoveAsync(device.Id, "plant", "moved to the plant floor", "alice", CancellationToken.None);

        await Eventually.HoldsAsync(() => Task.FromResult(_cluster.Get<MqttGateway>(1).Limits.ZoneLimitOf(device.Principal())?.MessagesPerSecond == 300),
            "node B holds the device to the plant zone's rate", ClusterOfThree.Patience);
        Assert.Equal("plant", _cluster.Get<ConfinedTemplates>(1).EffectiveZone(device.Id));
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(client, $"devices/{device.Id}/events/boot"));
    }

    [Fact]
    public async Task A_confined_device_quarantined_on_node_C_and_released_there_stays_confined_on_node_B()
    {
        var device = await _cluster.First.EnrollDeviceAsync("zone-3");
        await using var client = await _cluster.ConnectAsync(1, device, device.Id);
        Assert.True(await _cluster.Get<ConfinementService>(0).ConfineAsync(device.Id, "legacy controller", "alice", CancellationToken.None));
        await UntilAsync(client, $"devices/{device.Id}/events/boot", MqttReasonCode.NotAuthorized, "node B confines the device");

        var inventory = _cluster.Get<InventoryService>(2);
        await inventory.QuarantineAsync(device.Id, "suspicious traffic", "test", CancellationToken.None);
        await UntilAsync(client, $"devices/{device.Id}/telemetry/t", MqttReasonCode.NotAuthorized, "node B quarantines the device");
        await inventory.ReleaseAsync(device.Id, "cleared", "test", OperatorVerifiedRelease.Instance, CancellationToken.None);

        // Released from quarantine, confined still: telemetry again, events never.
        await UntilAsync(client, $"devices/{device.Id}/telemetry/t", MqttReasonCode.Success, "node B releases the quarantine");
        Assert.Equal(MqttReasonCode.NotAuthorized, await PublishAsync(client, $"devices/{device.Id}/events/boot"));
        await StaysAsync(client, device.Id, events: MqttReasonCode.NotAuthorized, telemetry: MqttReasonCode.Success);
    }

    [Fact]
    public async Task A_device_quarantined_on_node_C_then_confined_and_released_from_confinement_on_node_A_stays_quarantined_on_node_B()
    {
        var device = await _cluster.First.EnrollDeviceAsync("zone-4");
        await using var client = await _cluster.ConnectAsync(1, device, device.Id);
        await _cluster.Get<InventoryService>(2).QuarantineAsync(device.Id, "suspicious traffic", "test", CancellationToken.None);
        await UntilAsync(client, $"devices/{device.Id}/telemetry/t", MqttReasonCode.NotAuthorized, "node B quarantines the device");

        var confinement = _cluster.Get<ConfinementService>(0);
        Assert.True(await confinement.ConfineAsync(device.Id, "legacy controller", "alice", CancellationToken.None));
        await confinement.ReleaseAsync(device.Id, "replaced", "alice", CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(!_cluster.Get<ConfinedTemplates>(1).IsConfined(device.Id)), "node B learns the release", ClusterOfThree.Patience);

        // Neither zone change lifted the quarantine on the live session: its state only.
        await StaysAsync(client, device.Id, events: MqttReasonCode.NotAuthorized, telemetry: MqttReasonCode.NotAuthorized);
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(client, $"devices/{device.Id}/state"));
    }

    [Fact]
    public async Task A_confinement_node_B_never_heard_of_is_applied_to_its_live_session_at_its_next_resync()
    {
        var device = await _cluster.First.EnrollDeviceAsync("zone-5");
        await using var client = await _cluster.ConnectAsync(1, device, device.Id);
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(client, $"devices/{device.Id}/events/boot"));

        // Committed in the shared database with its audit entry, but no node is told (as if node B was cut off from NATS).
        var stores = _cluster.Get<NodeStores>(0);
        await _cluster.Get<Rampart.Fleet.Audit.IAuditLog>(0).CommitAsync(async (transaction, commit) =>
            await stores.Confinements.TryConfineAsync(transaction, new Confinement(device.Id, "missed", "test", transaction.Now), commit)
                ? Rampart.Fleet.Audit.AuditedOutcome<bool>.Done(true, new Rampart.Fleet.Audit.AuditRecord("test", "device.confined", $"device/{device.Id}", Rampart.Fleet.Audit.AuditOutcome.Success, new Dictionary<string, string>()))
                : Rampart.Fleet.Audit.AuditedOutcome<bool>.Nothing(false), CancellationToken.None);
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(client, $"devices/{device.Id}/events/boot"));

        // What a reconnection to NATS does (and the interval, Rampart:Posture:Zones:ClusterResyncInterval).
        _cluster.Get<ZoneClusterSync>(1).RequestResync();
        await UntilAsync(client, $"devices/{device.Id}/events/boot", MqttReasonCode.NotAuthorized, "node B's resync confines the device");
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(client, $"devices/{device.Id}/telemetry/t"));
        Assert.True(_cluster.Get<ZoneClusterSync>(1).Resyncs >= 1);
        Assert.False(client.Closed);
    }

    [Fact]
    public async Task A_revocation_and_a_retirement_node_B_never_heard_of_end_its_live_sessions_at_its_next_resync()
    {
        var revokedDevice = await _cluster.First.EnrollDeviceAsync("zone-6");
        var retiredDevice = await _cluster.First.EnrollDeviceAsync("zone-7");
        var keptDevice = await _cluster.First.EnrollDeviceAsync("zone-8");
        await using var revokedClient = await _cluster.ConnectAsync(1, revokedDevice, revokedDevice.Id);
        await using var retiredClient = await _cluster.ConnectAsync(1, retiredDevice, retiredDevice.Id);
        await using var keptClient = await _cluster.ConnectAsync(1, keptDevice, keptDevice.Id);

        // Committed in the shared database with their audit entries, but no node is told (as if node B was cut off from NATS).
        var stores = _cluster.Get<NodeStores>(0);
        await _cluster.Get<Rampart.Fleet.Audit.IAuditLog>(0).CommitAsync(async (transaction, commit) =>
            await stores.Certificates.TryRevokeAsync(transaction, revokedDevice.Serial, transaction.Now, System.Security.Cryptography.X509Certificates.X509RevocationReason.KeyCompromise, CancellationToken.None)
            && await stores.Devices.TryChangeStateAsync(transaction, retiredDevice.Id, [DeviceState.Active], DeviceState.Retired, transaction.Now, CancellationToken.None)
                ? Rampart.Fleet.Audit.AuditedOutcome<bool>.Done(true, new Rampart.Fleet.Audit.AuditRecord("test", "certificate.revoked", $"device/{revokedDevice.Id}", Rampart.Fleet.Audit.AuditOutcome.Success, new Dictionary<string, string>()))
                : Rampart.Fleet.Audit.AuditedOutcome<bool>.Nothing(false), CancellationToken.None);
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(revokedClient, $"devices/{revokedDevice.Id}/telemetry/t"));
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(retiredClient, $"devices/{retiredDevice.Id}/telemetry/t"));

        // What a reconnection to NATS does (and the interval): both sessions end with the DISCONNECT the relay's message would have sent.
        _cluster.Get<ZoneClusterSync>(1).RequestResync();
        var revokedEnd = await revokedClient.WaitClosedAsync(ClusterOfThree.Patience);
        Assert.Contains(revokedEnd, p => p is DisconnectPacket { ReasonCode: MqttReasonCode.NotAuthorized });
        var retiredEnd = await retiredClient.WaitClosedAsync(ClusterOfThree.Patience);
        Assert.Contains(retiredEnd, p => p is DisconnectPacket { ReasonCode: MqttReasonCode.AdministrativeAction });
        Assert.True(_cluster.Get<ZoneClusterSync>(1).Ended >= 2);

        // The device whose certificate and state are unchanged keeps its session.
        Assert.Equal(MqttReasonCode.Success, await PublishAsync(keptClient, $"devices/{keptDevice.Id}/telemetry/t"));
        Assert.False(keptClient.Closed);
    }

    private async Task<MqttReasonCode> PublishAsync(MqttProbeClient client, string topic)
    {
        var id = ++_packetId;
        await client.SendAsync(new PublishPacket { Topic = topic, Payload = "x"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, PacketId = id });
        var response = await client.ExpectAsync<PublishResponsePacket>();
        Assert.Equal(id, response.PacketId);
        return response.ReasonCode;
    }

    // Live control crosses nodes asynchronously: publishes until the session answers with the expected code.
    private Task UntilAsync(MqttProbeClient client, string topic, MqttReasonCode expected, string what) =>
        Eventually.HoldsAsync(async () => await PublishAsync(client, topic) == expected, what, ClusterOfThree.Patience);

    // The template holds once every queued re-read on node B is done, not only at first sight.
    private async Task StaysAsync(MqttProbeClient client, string deviceId, MqttReasonCode events, MqttReasonCode telemetry)
    {
        var sync = _cluster.Get<ZoneClusterSync>(1);
        var before = sync.Resyncs;
        sync.RequestResync();
        await Eventually.HoldsAsync(() => Task.FromResult(sync.Resyncs > before), "node B re-read its zones", ClusterOfThree.Patience);
        Assert.Equal(events, await PublishAsync(client, $"devices/{deviceId}/events/boot"));
        Assert.Equal(telemetry, await PublishAsync(client, $"devices/{deviceId}/telemetry/t"));
        Assert.False(client.Closed);
    }

    private async Task<List<(string Template, string Sessions)>> SwapsAsync(string deviceId)
    {
        var swaps = new List<(string Template, string Sessions)>();
        await foreach (var entry in _cluster.Get<NodeStores>(0).Audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            if (entry.Action == "device.zone-permissions-swapped" && entry.Target == $"device/{deviceId}")
            {
                var details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Details)!;
                swaps.Add((details["template"], details["sessions"]));
            }
        }

        return swaps;
    }
}

internal static class ZoneTestIdentities
{
    public static string Principal(this EnrolledIdentity identity) => ClientIdentity.PrincipalOf(ClientKind.Device, identity.Id);
}
