using Rampart.Adapters.Links;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// A node with short timers: front-door links close after one idle second (the sweep runs every five),
/// and a CoAP notification waits 0.5 s for its first acknowledgement with 3 retransmissions (RFC 7252 §4.8 allows other values).
/// </summary>
public sealed class ShortTimerNode : AdapterNode
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>
    {
        ["Rampart:Adapters:LinkIdleTimeout"] = "00:00:01",
        ["Rampart:Adapters:Coap:AckTimeout"] = "00:00:00.5",
        ["Rampart:Adapters:Coap:MaxRetransmit"] = "3",
    };
}

/// <summary>Commands an HTTPS device's link took from the broker survive the link closing idle before the device polls (curl).</summary>
public sealed class HeldCommandTests(ShortTimerNode fixture) : IClassFixture<ShortTimerNode>
{
    [Fact]
    public async Task A_command_buffered_when_the_link_closes_idle_reaches_the_devices_next_long_poll_once()
    {
        var device = await fixture.Node.EnrollDeviceAsync("http-held");
        Assert.Equal(204, (await fixture.CurlAsync(device, "GET", "/device/v1/commands?wait=0")).Status);
        var links = fixture.Node.Get<DeviceLinks>();
        var link = links.Find("http-held");
        Assert.NotNull(link);

        // The broker delivers at QoS 1 into the open link's buffer and forgets the command at the link's PUBACK.
        fixture.Node.Get<MqttGateway>().Broker.Publish("devices/http-held/commands/valve", "close"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
        await Eventually.HoldsAsync(async () => links.Find("http-held") is null && await links.Held.CountForAsync("http-held") == 1,
            "the idle link closed with the command held");

        var (status, body) = await fixture.CurlAsync(device, "GET", "/device/v1/commands?wait=10", "-D", "-");
        Assert.True(status == 200, body);
        Assert.Contains("rampart-command: valve", body, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("close", body.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(0, await links.Held.CountForAsync("http-held"));
        Assert.Equal(204, (await fixture.CurlAsync(device, "GET", "/device/v1/commands?wait=0")).Status);
    }

    [Fact]
    public async Task A_command_an_open_link_holds_when_the_node_stops_reaches_the_devices_long_poll_after_the_restart()
    {
        // A node of this test's own: it is stopped and started again on the same data directory.
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Adapters:LinkIdleTimeout"] = "00:10:00" });
        var device = await node.EnrollDeviceAsync("http-restart");
        Assert.Equal(204, (await AdapterNode.CurlAsync(node, device, "GET", "/device/v1/commands?wait=0")).Status);
        node.Get<MqttGateway>().Broker.Publish("devices/http-restart/commands/valve", "open"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
        await Eventually.HoldsAsync(() => Task.FromResult(node.Get<DeviceLinks>().Find("http-restart")?.Commands.Count == 1),
            "the open link took the command from the broker (and acknowledged it)");

        await node.RestartAsync();

        var held = node.Get<DeviceLinks>().Held;
        Assert.Equal(1, await held.CountForAsync("http-restart"));
        var (status, body) = await AdapterNode.CurlAsync(node, device, "GET", "/device/v1/commands?wait=10", "-D", "-");
        Assert.True(status == 200, body);
        Assert.Contains("rampart-command: valve", body, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("open", body.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(0, await held.CountForAsync("http-restart"));
        Assert.Equal(204, (await AdapterNode.CurlAsync(node, device, "GET", "/device/v1/commands?wait=0")).Status);
    }
}
