using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.WebConsole.Traffic;

namespace Rampart.Console.Tests;

/// <summary>The device page's actions and its traffic chart, each checked on the real node: a live mutual-TLS device session.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeviceActionTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_command_sent_from_the_device_page_reaches_the_live_device_over_MQTT()
    {
        var id = "cmd-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var device = await LiveDevices.ConnectAsync(fixture, id);
        await device.SubscribeAsync(1, new TopicSubscription($"devices/{id}/commands/#", MqttQualityOfService.AtLeastOnce));
        var officer = await fixture.OperatorAsync("operator");
        await using var session = await fixture.SignInAsync(officer);
        var page = session.Page;

        await session.GoAsync("/devices/" + id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send command" }).ClickAsync();
        var dialog = page.Locator("#command");
        await dialog.GetByLabel("Topic after").FillAsync("reboot");
        await dialog.GetByLabel("Payload").FillAsync("{\"delay\":5}");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send command" }).ClickAsync();
        // The fixture turns attestation at connect off, so the first message the device gets is the command.
        var command = await device.ExpectAsync<PublishPacket>();

        Assert.Equal($"devices/{id}/commands/reboot", command.Topic);
        Assert.Equal("{\"delay\":5}", Encoding.UTF8.GetString(command.Payload.Span));
        session.AssertClean();
    }

    [Fact]
    public async Task Revoking_a_device_s_certificates_from_its_page_closes_its_live_session()
    {
        var id = "rev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var device = await LiveDevices.ConnectAsync(fixture, id);
        var officer = await fixture.OperatorAsync("security-officer");
        await using var session = await fixture.SignInAsync(officer);
        var page = session.Page;

        await session.GoAsync("/devices/" + id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke certificates" }).ClickAsync();
        await page.Locator("#revoke").GetByLabel("Reason").SelectOptionAsync("keyCompromise");
        await page.Locator("#revoke").GetByRole(AriaRole.Button, new() { Name = "Revoke certificates" }).ClickAsync();
        await Assertions.Expect(page.Locator("#certificates tbody")).ToContainTextAsync("revoked (keyCompromise)");
        await device.WaitClosedAsync();

        Assert.True(device.Closed);
        Assert.False(fixture.Node.Services.GetService(typeof(Rampart.Server.Gateway.MqttGateway)) is Rampart.Server.Gateway.MqttGateway gateway && gateway.Broker.IsConnected(id));
        session.AssertClean();
    }

    [Fact]
    public async Task Retiring_a_device_from_its_page_ends_its_session_and_its_id_is_retired_for_good()
    {
        var id = "ret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var device = await LiveDevices.ConnectAsync(fixture, id);
        var admin = await fixture.OperatorAsync("operator");
        await using var session = await fixture.SignInAsync(admin);
        var page = session.Page;

        await session.GoAsync("/devices/" + id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Retire" }).ClickAsync();
        await page.Locator("#retire").GetByRole(AriaRole.Button, new() { Name = "Retire" }).ClickAsync();
        await Assertions.Expect(page.Locator("#device-state")).ToHaveTextAsync("retired");
        await device.WaitClosedAsync();

        Assert.True(device.Closed);
        Assert.Equal(DeviceState.Retired, (await fixture.Get<InventoryService>().GetAsync(id, CancellationToken.None)).State);
        Assert.Equal(0, await page.Locator("#device-actions button").CountAsync());
        session.AssertClean();
    }

    [Fact]
    public async Task The_device_page_charts_the_last_hour_of_its_live_traffic_and_the_API_serves_the_same_minutes()
    {
        var id = "trf-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var device = await LiveDevices.ConnectAsync(fixture, id);
        var history = fixture.Get<TrafficHistory>();
        await device.SendAsync(DeviceTests.Publish($"devices/{id}/telemetry/t", 1));
        await device.ExpectAsync<PublishResponsePacket>();
        history.Sample();
        await device.SendAsync(DeviceTests.Publish($"devices/{id}/telemetry/t", 2));
        await device.ExpectAsync<PublishResponsePacket>();
        await device.SendAsync(DeviceTests.Publish($"devices/{id}/telemetry/t", 3));
        await device.ExpectAsync<PublishResponsePacket>();
        await device.SendAsync(DeviceTests.Publish("devices/someone-else/telemetry/t", 4));
        Assert.Equal(MqttReasonCode.NotAuthorized, (await device.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        var viewer = await fixture.OperatorAsync("viewer");
        await using var session = await fixture.SignInAsync(viewer);
        var page = session.Page;

        await session.GoAsync("/devices/" + id);
        await session.ScreenshotAsync("device-traffic");
        var columns = await page.Locator("#traffic-chart g.traffic-minute").CountAsync();
        var shownIn = await page.Locator("#traffic-in").TextContentAsync();
        var shownRefused = await page.Locator("#traffic-refusals").TextContentAsync();
        var busiest = await page.Locator("#traffic-chart g.traffic-minute rect.traffic-in").CountAsync();
        var api = await page.APIRequest.GetAsync($"/api/v1/devices/{id}/traffic/minutes");
        var json = await api.TextAsync();
        Assert.True(api.Status == 200, $"{api.Status}: {json}");
        using var served = JsonDocument.Parse(json);
        var minutes = served.RootElement.GetProperty("minutes").EnumerateArray().ToArray();

        Assert.Equal(60, columns);
        Assert.Equal("3", shownIn);
        Assert.Equal("1", shownRefused);
        Assert.InRange(busiest, 1, 2);
        Assert.Equal(60, minutes.Length);
        Assert.Equal(3, minutes.Sum(m => m.GetProperty("messagesIn").GetInt64()));
        Assert.Equal(1, minutes.Sum(m => m.GetProperty("refusals").GetInt64()));
        Assert.Equal(0, await page.Locator("#traffic-chart script, #traffic-chart foreignObject").CountAsync());
        session.AssertClean();
    }
}
