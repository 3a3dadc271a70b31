using System.Net;
using System.Text.Json;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Credentials;
using Rampart.Adapters.Links;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Posture.Zones;
using Rampart.Server.Adapters;

namespace Rampart.Server.Tests.Adapters;

/// <summary>A node with a restricted inventory zone <c>plant</c> whose devices take commands only from the <c>ops</c> service.</summary>
public sealed class ZonedAdapterNode : AdapterNode
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Rampart:Gateway:Services:ops:ClientIds"] = "ops-*",
        ["Rampart:Gateway:Services:ops:Publish:0"] = "devices/+/commands/#",
        ["Rampart:Posture:Zones:Zones:plant:Restricted"] = "true",
        ["Rampart:Posture:Zones:Zones:plant:CommandServices:0"] = "ops",
        ["Rampart:Posture:Zones:ConfineUnsupported"] = "false",
    };
}

/// <summary>
/// Devices at the front doors are held to their zone exactly as MQTT devices (issue 18's zones): their
/// broker link is templated by the zone when it opens, and the zone's per-message filter knows them
/// though they never sent an MQTT CONNECT.
/// </summary>
public sealed class ZoneConfinementTests(ZonedAdapterNode fixture) : IClassFixture<ZonedAdapterNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_psk_device_in_a_restricted_zone_observes_only_the_commands_of_its_zones_command_service()
    {
        const string id = "zone-coap-1";
        await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice(id, Zone: "plant"), "test", CancellationToken.None);
        var psk = (await fixture.Node.Get<DeviceCredentials>().IssuePskAsync(id, "test", CancellationToken.None)).Secret;
        using var client = await DtlsTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, fixture.Node.Get<CoapHost>().Listener!.BoundEndPoint!.Port), id, psk);
        var token = new byte[] { 0x0B, 0x5E };
        client.Send(new CoapMessage(CoapType.Confirmable, CoapCodes.Get, 7, token,
            [CoapCodec.UInt(CoapOptions.Observe, 0), new CoapOption(CoapOptions.UriPath, "c"u8.ToArray())], ReadOnlyMemory<byte>.Empty));
        Assert.Equal(CoapCodes.Content, client.ReceiveUntil(token, Patience).Answer.Code);
        await fixture.LinkOpenAsync(id);

        await PublishAsync("ingest", "ingest-zone", $"devices/{id}/commands/from-ingest");
        await PublishAsync("ops", "ops-zone", $"devices/{id}/commands/from-ops");

        // Commands arrive in publish order, so the refused one would have come first.
        var notification = client.ReceiveUntil(token, Patience).Answer;
        Assert.Equal("from-ops", JsonDocument.Parse(notification.Payload).RootElement.GetProperty("name").GetString());
        Assert.Equal("plant", fixture.Node.Get<ConfinedTemplates>().EffectiveZone(id));
    }

    [Fact]
    public async Task An_https_device_confined_before_its_first_request_gets_the_confined_template_on_its_link()
    {
        var device = await fixture.Node.EnrollDeviceAsync("zone-http-1");
        Assert.True(await fixture.Node.Get<ConfinementService>().ConfineAsync(device.Id, "cannot be patched", "test", CancellationToken.None));

        Assert.Equal(204, (await fixture.CurlAsync(device, "GET", "/device/v1/commands?wait=0")).Status);
        var permissions = fixture.Node.Get<DeviceLinks>().Find(device.Id)!.Policy.Permissions;

        var confined = ConfinedTemplates.Confined.Bind(device.Id);
        Assert.Equal(confined.Publish, permissions.Publish);
        Assert.Equal(confined.Subscribe, permissions.Subscribe);
        Assert.False(permissions.CanPublish($"devices/{device.Id}/events/boot"));
        Assert.Equal(202, (await fixture.CurlAsync(device, "POST", "/device/v1/telemetry/t", "--data-binary", "1")).Status);
    }

    private async Task PublishAsync(string service, string clientId, string topic)
    {
        await using var client = await fixture.Node.ConnectAsync(await fixture.Node.ServiceAsync(service));
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(clientId)).ReasonCode);
        await client.SendAsync(new PublishPacket { Topic = topic, Payload = "x"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, PacketId = 1 });
        Assert.Equal(MqttReasonCode.Success, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
    }
}
