using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Posture.Zones;
using Rampart.Server.Tests.Gateway;
using Rampart.Storage;
using Rampart.Testing;

namespace Rampart.Server.Tests.Posture;

/// <summary>
/// A restricted zone on every message, over real mutual TLS (issue 18, item 5): a device moved into the
/// confined zone keeps its live session, gets the confined permissions at once (audited), takes commands only
/// from the zone's command service, its telemetry reaches only the zone's consumer service, and it is held
/// to the zone's message rate; released, it is back on the device template on the same session.
/// </summary>
public sealed class ZoneEnforcementTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(new Dictionary<string, string?>
    {
        ["Rampart:Gateway:Services:ops:ClientIds"] = "ops-*",
        ["Rampart:Gateway:Services:ops:Subscribe:0"] = "devices/+/telemetry/#",
        ["Rampart:Gateway:Services:ops:Publish:0"] = "devices/+/commands/#",
        ["Rampart:Gateway:Services:ingest:Subscribe:2"] = "devices/+/telemetry/#",
        ["Rampart:Posture:Zones:Zones:confined:CommandServices:0"] = "ops",
        ["Rampart:Posture:Zones:Zones:confined:ConsumerServices:0"] = "ops",
        ["Rampart:Posture:Zones:Zones:confined:MessagesPerSecond"] = "1",
        ["Rampart:Posture:Zones:ConfineUnsupported"] = "false",
        ["Rampart:Posture:Zones:Zones:ot:Restricted"] = "true",
        ["Rampart:Posture:Zones:Zones:ot:CommandServices:0"] = "ops",
        ["Rampart:Posture:Zones:Zones:ot:ConsumerServices:0"] = "ops",
        ["Rampart:Posture:Zones:Zones:ot:MessagesPerSecond"] = "1",
        ["Rampart:Posture:Zones:Zones:plant:Restricted"] = "false",
    }, _clock);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static PublishPacket Publish(string topic, ushort id, string payload, MqttQualityOfService qos = MqttQualityOfService.AtLeastOnce) =>
        new() { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(payload), QoS = qos, PacketId = id };

    [Fact]
    public async Task A_device_moved_into_the_confined_zone_keeps_its_session_but_at_once_hears_and_reaches_only_the_zones_services_until_released()
    {
        var device = await _node.EnrollDeviceAsync("pump-1");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        await client.SubscribeAsync(1, new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtMostOnce), new TopicSubscription($"devices/{device.Id}/config", MqttQualityOfService.AtMostOnce));
        await using var ingest = await ConnectedAsync("ingest", "ingest-1");
        await using var ops = await ConnectedAsync("ops", "ops-1");

        // Before: any granted service commands the device, and every consumer hears it.
        await SendAsync(ingest, Publish($"devices/{device.Id}/commands/from-ingest", 1, "a"));
        Assert.Equal($"devices/{device.Id}/commands/from-ingest", (await client.ExpectAsync<PublishPacket>()).Topic);
        await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 1, "before"));
        Assert.Equal("before", Payload(await ingest.ExpectAsync<PublishPacket>()));
        Assert.Equal("before", Payload(await ops.ExpectAsync<PublishPacket>()));

        Assert.True(await _node.Get<ConfinementService>().ConfineAsync(device.Id, "legacy controller", "alice", CancellationToken.None));

        // The same session, confined permissions: events refused, config dropped, telemetry allowed once per second (the clock stands still).
        Assert.Equal(MqttReasonCode.NotAuthorized, (await SendAsync(client, Publish($"devices/{device.Id}/events/boot", 2, "x"))).ReasonCode);
        await SendAsync(ingest, Publish($"devices/{device.Id}/commands/from-ingest", 2, "refused"));
        await SendAsync(ops, Publish($"devices/{device.Id}/commands/from-ops", 1, "allowed"));
        Assert.Equal($"devices/{device.Id}/commands/from-ops", (await client.ExpectAsync<PublishPacket>()).Topic);
        Assert.Equal(MqttReasonCode.Success, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 3, "confined"))).ReasonCode);
        Assert.Equal(MqttReasonCode.MessageRateTooHigh, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 4, "too fast"))).ReasonCode);
        Assert.Equal("confined", Payload(await ops.ExpectAsync<PublishPacket>()));
        Assert.True(_node.Get<Rampart.Server.Posture.ZoneSessions>().Filter!.Refused >= 2, "the zone filter refused the command and the delivery to ingest");

        // Released on the same session: the device template and the default rate again, every consumer hears it.
        await _node.Get<ConfinementService>().ReleaseAsync(device.Id, "replaced", "alice", CancellationToken.None);
        Assert.Equal(MqttReasonCode.Success, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 5, "released"))).ReasonCode);
        Assert.Equal("released", Payload(await ingest.ExpectAsync<PublishPacket>()));
        Assert.Equal(MqttReasonCode.Success, (await SendAsync(client, Publish($"devices/{device.Id}/events/boot", 6, "x"))).ReasonCode);
        Assert.False(client.Closed);

        // The swap's audit entry is appended after the permissions changed: wait for both.
        await Eventually.HoldsAsync(async () => (await SwapsAsync(device.Id)).Count == 2, "both live swaps are audited");
        Assert.Equal([("confined", "1"), ("device", "1")], await SwapsAsync(device.Id));
    }

    [Fact]
    public async Task A_confined_device_released_from_quarantine_on_its_live_session_keeps_the_confined_zones_permissions_and_rate()
    {
        var device = await _node.EnrollDeviceAsync("valve-1");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        Assert.True(await _node.Get<ConfinementService>().ConfineAsync(device.Id, "legacy controller", "alice", CancellationToken.None));

        var inventory = _node.Get<Rampart.Fleet.Inventory.InventoryService>();
        await inventory.QuarantineAsync(device.Id, "suspicious traffic", "test", CancellationToken.None);
        await _node.EventAsync("gateway.permissions-changed", e => e.DeviceId == device.Id && e.Details["template"] == "quarantine");
        await inventory.ReleaseAsync(device.Id, "cleared", "test", OperatorVerifiedRelease.Instance, CancellationToken.None);
        var released = await _node.EventAsync("gateway.permissions-changed", e => e.DeviceId == device.Id && e.Details["template"] is "zone" or "device");

        // A detection window closes in between: its sync of tightened limits leaves the zone's rate alone.
        await _node.Get<Rampart.Server.Detection.DetectionHost>().CloseWindowAsync(CancellationToken.None);

        // The same session, still confined: events refused, config not subscribable, telemetry once per second (the clock stands still).
        Assert.Equal(MqttReasonCode.NotAuthorized, (await SendAsync(client, Publish($"devices/{device.Id}/events/boot", 1, "x"))).ReasonCode);
        Assert.Equal(MqttReasonCode.NotAuthorized,
            Assert.Single((await client.SubscribeAsync(2, new TopicSubscription($"devices/{device.Id}/config", MqttQualityOfService.AtMostOnce))).ReasonCodes));
        Assert.Equal(MqttReasonCode.Success, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 3, "confined"))).ReasonCode);
        Assert.Equal(MqttReasonCode.MessageRateTooHigh, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 4, "too fast"))).ReasonCode);
        Assert.False(client.Closed);
        Assert.Equal("zone", released.Details["template"]);
    }

    [Fact]
    public async Task A_device_of_a_restricted_inventory_zone_is_held_to_the_zones_rate_from_its_connect()
    {
        var (_, token) = await _node.Get<Rampart.Fleet.Inventory.InventoryService>().AddAsync(new Rampart.Fleet.Inventory.NewDevice("plc-1", Zone: "ot"), "test", CancellationToken.None);
        var device = await EnrollAsync("plc-1", token.Token);
        await using var client = await _node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
        await _node.Get<Rampart.Server.Detection.DetectionHost>().CloseWindowAsync(CancellationToken.None);

        Assert.Equal(MqttReasonCode.Success, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 1, "first"))).ReasonCode);
        Assert.Equal(MqttReasonCode.MessageRateTooHigh, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 2, "too fast"))).ReasonCode);
        Assert.False(client.Closed);
    }

    [Fact]
    public async Task A_security_officer_moves_a_device_into_a_restricted_zone_and_its_live_session_follows_at_once_while_an_operator_may_not()
    {
        var (_, token) = await _node.Get<Rampart.Fleet.Inventory.InventoryService>().AddAsync(new Rampart.Fleet.Inventory.NewDevice("pump-7", Zone: "plant"), "test", CancellationToken.None);
        var device = await EnrollAsync("pump-7", token.Token);
        await using var client = await _node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
        await client.SubscribeAsync(1, new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtMostOnce));
        await using var ingest = await ConnectedAsync("ingest", "ingest-7");
        await using var ops = await ConnectedAsync("ops", "ops-7");
        await SendAsync(ingest, Publish($"devices/{device.Id}/commands/from-ingest", 1, "a"));
        Assert.Equal($"devices/{device.Id}/commands/from-ingest", (await client.ExpectAsync<PublishPacket>()).Topic);

        var move = new { zone = "ot", reason = "belongs on the OT network" };
        var refused = await PostAsync($"api/v1/posture/zones/move/{device.Id}", await OperatorTokens.ForRoleAsync(_node.Node.Node, "operator"), move);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("devices:quarantine", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var officer = await OperatorTokens.ForRoleAsync(_node.Node.Node, "security-officer");
        var unknown = await PostAsync($"api/v1/posture/zones/move/{device.Id}", officer, new { zone = "0t", reason = "typo" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("not in the zone policy", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("plant", (await _node.Get<Rampart.Fleet.Inventory.InventoryService>().GetAsync(device.Id, CancellationToken.None)).Zone);

        var moved = await PostAsync($"api/v1/posture/zones/move/{device.Id}", officer, move);
        Assert.Equal(System.Net.HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("ot", (await _node.Get<Rampart.Fleet.Inventory.InventoryService>().GetAsync(device.Id, CancellationToken.None)).Zone);

        // The same session, now in the restricted zone: commands only from ops, telemetry to ops only, one message a second.
        await SendAsync(ingest, Publish($"devices/{device.Id}/commands/from-ingest", 2, "refused"));
        await SendAsync(ops, Publish($"devices/{device.Id}/commands/from-ops", 1, "allowed"));
        Assert.Equal($"devices/{device.Id}/commands/from-ops", (await client.ExpectAsync<PublishPacket>()).Topic);
        Assert.Equal(MqttReasonCode.Success, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 3, "in ot"))).ReasonCode);
        Assert.Equal(MqttReasonCode.MessageRateTooHigh, (await SendAsync(client, Publish($"devices/{device.Id}/telemetry/t", 4, "too fast"))).ReasonCode);
        Assert.Equal("in ot", Payload(await ops.ExpectAsync<PublishPacket>()));
        Assert.True(await ingest.NothingWithinAsync(TimeSpan.FromMilliseconds(500)), "ingest heard a device of the restricted zone");
        Assert.False(client.Closed);

        var audited = new List<Rampart.Fleet.Audit.AuditEntry>();
        await foreach (var entry in _node.Get<NodeStores>().Audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            if (entry.Action == "device.zone-changed" && entry.Target == $"device/{device.Id}")
            {
                audited.Add(entry);
            }
        }

        var change = Assert.Single(audited);
        Assert.StartsWith("u-security-officer-", change.Actor, StringComparison.Ordinal);
        Assert.Contains("\"from-zone\":\"plant\"", change.Details, StringComparison.Ordinal);
        await Eventually.HoldsAsync(async () => (await SwapsAsync(device.Id)).Count == 1, "the live swap is audited");
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string token, object body)
    {
        using var http = _node.Node.HttpsClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<EnrolledIdentity> EnrollAsync(string id, string token)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var result = await _node.Get<Rampart.Fleet.Enrollment.EnrollmentService>().EnrollAsync(Rampart.Fleet.Enrollment.EstOperation.Enroll,
            new Rampart.Fleet.Enrollment.EstCredentials(id, token, null, "127.0.0.1"), FleetHarness.Csr(key), CancellationToken.None);
        Assert.Null(result.Refusal);
        return _node.Identity(id, result.Certificate!, key);
    }

    private async Task<List<(string Template, string Sessions)>> SwapsAsync(string deviceId)
    {
        var swaps = new List<(string Template, string Sessions)>();
        await foreach (var entry in _node.Get<NodeStores>().Audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            if (entry.Action == "device.zone-permissions-swapped" && entry.Target == $"device/{deviceId}")
            {
                var details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Details)!;
                swaps.Add((details["template"], details["sessions"]));
            }
        }

        return swaps;
    }

    private async Task<Rampart.Attack.Probes.MqttProbeClient> ConnectedAsync(string service, string clientId)
    {
        var client = await _node.ConnectAsync(await _node.ServiceAsync(service));
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(clientId)).ReasonCode);
        Assert.All((await client.SubscribeAsync(1, new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtMostOnce))).ReasonCodes,
            code => Assert.Equal(MqttReasonCode.Success, code));
        return client;
    }

    // QoS 1 so the PUBACK says the broker routed it (and why not) before the next step.
    private static async Task<PublishResponsePacket> SendAsync(Rampart.Attack.Probes.MqttProbeClient client, PublishPacket publish)
    {
        await client.SendAsync(publish);
        return await client.ExpectAsync<PublishResponsePacket>();
    }

    private static string Payload(PublishPacket publish) => System.Text.Encoding.UTF8.GetString(publish.Payload.Span);
}
