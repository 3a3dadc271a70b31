using Rampart.Detection.Response;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Tests.Gateway;

namespace Rampart.Server.Tests.Detection;

/// <summary>Containment acts on the authenticated identity an alert names, never on a session that merely carries the same client id.</summary>
public sealed class ContainmentIdentityTests
{
    [Fact]
    public async Task Disconnecting_an_alerted_device_ends_its_own_session_and_never_a_service_s_session_whose_client_id_equals_the_device_id()
    {
        await using var node = await GatewayNode.StartAsync();
        await node.EnrollDeviceAsync("ingest-9");
        var meter = await node.EnrollDeviceAsync("meter-3");

        // The ingest service may use client ids ingest-*: one of its sessions carries the device's id.
        await using var service = await node.ConnectAsync(await node.ServiceAsync("ingest"));
        Assert.Equal(MqttReasonCode.Success, (await service.ConnectAsync("ingest-9")).ReasonCode);
        await using var device = await node.ConnectAsync(meter);
        Assert.Equal(MqttReasonCode.Success, (await device.ConnectAsync("meter-3")).ReasonCode);

        var containment = node.Get<IContainmentActions>();
        Assert.False(await containment.DisconnectAsync("ingest-9", "alert 1", CancellationToken.None));
        Assert.True(await containment.DisconnectAsync("meter-3", "alert 2", CancellationToken.None));

        var disconnect = Assert.IsType<DisconnectPacket>(Assert.Single(await device.WaitClosedAsync(TimeSpan.FromSeconds(20)), p => p is DisconnectPacket));
        Assert.Equal(MqttReasonCode.AdministrativeAction, disconnect.ReasonCode);
        Assert.False(service.Closed);
        Assert.Equal([MqttReasonCode.GrantedQoS1], (await service.SubscribeAsync(1,
            new TopicSubscription("$share/ingest/devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce))).ReasonCodes);
    }
}
