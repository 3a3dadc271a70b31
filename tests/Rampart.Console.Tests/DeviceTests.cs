using System.Security.Cryptography;
using Microsoft.Playwright;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class DeviceTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task Quarantining_a_device_from_its_page_takes_the_permissions_of_its_live_MQTT_session_away()
    {
        // 1. A device enrolled over the node's EST service with its own key, connected over mutual TLS.
        var id = "cam-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var device = await LiveDevices.ConnectAsync(fixture, id);
        await device.SendAsync(Publish($"devices/{id}/telemetry/t", 1));
        Assert.Equal(MqttReasonCode.Success, (await device.ExpectAsync<PublishResponsePacket>()).ReasonCode);

        // 2. A security officer quarantines it from its page, confirming in the dialog.
        var officer = await fixture.OperatorAsync("security-officer");
        await using var session = await fixture.SignInAsync(officer);
        var page = session.Page;
        await session.GoAsync("/devices/" + id);
        await Assertions.Expect(page.Locator("#device-connected")).ToHaveTextAsync("yes");
        await session.ScreenshotAsync("device");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quarantine" }).ClickAsync();
        await page.Locator("#quarantine").GetByLabel("Reason").FillAsync("beaconing to an unknown host");
        await page.Locator("#quarantine").GetByRole(AriaRole.Button, new() { Name = "Quarantine" }).ClickAsync();
        await Assertions.Expect(page.Locator("#device-state")).ToHaveTextAsync("quarantined");

        // 3. The same live session may now only report its state.
        await device.SendAsync(Publish($"devices/{id}/telemetry/t", 2));
        Assert.Equal(MqttReasonCode.NotAuthorized, (await device.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        await device.SendAsync(Publish($"devices/{id}/state", 3));
        Assert.Equal(MqttReasonCode.Success, (await device.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        Assert.False(device.Closed);
        Assert.Equal(DeviceState.Quarantined, (await fixture.Get<InventoryService>().GetAsync(id, CancellationToken.None)).State);
        session.AssertClean();
    }

    [Fact]
    public async Task The_device_list_filters_by_state_site_and_id_prefix_and_pages_through_the_fleet()
    {
        var inventory = fixture.Get<InventoryService>();
        var prefix = "lst" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        for (var i = 0; i < 60; i++)
        {
            await inventory.AddAsync(new NewDevice($"{prefix}-{i:D3}", Site: i % 2 == 0 ? "plant-1" : "plant-2"), "test", CancellationToken.None);
        }

        await inventory.RetireAsync($"{prefix}-007", "test", CancellationToken.None);
        var viewer = await fixture.OperatorAsync("viewer");
        await using var session = await fixture.SignInAsync(viewer);
        var page = session.Page;

        await session.GoAsync("/devices");
        await page.GetByLabel("Search id").FillAsync(prefix);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync($"**/devices?q={prefix}**");
        var first = await page.Locator("#devices tbody tr").CountAsync();
        await session.ScreenshotAsync("devices");
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        var second = await page.Locator("#devices tbody td:first-child").AllTextContentsAsync();
        await session.GoAsync($"/devices?q={prefix}&state=retired");
        var retired = await page.Locator("#devices tbody td:first-child").AllTextContentsAsync();
        await session.GoAsync($"/devices?q={prefix}&site=plant-2");
        var atSite = await page.Locator("#devices tbody td:first-child").AllTextContentsAsync();

        Assert.Equal(50, first);
        Assert.Equal(Enumerable.Range(50, 10).Select(i => $"{prefix}-{i:D3}"), second);
        Assert.Equal([$"{prefix}-007"], retired);
        Assert.Equal(30, atSite.Count);
        Assert.All(atSite, d => Assert.True(int.Parse(d[^3..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1));
        session.AssertClean();
    }

    internal static PublishPacket Publish(string topic, ushort id) =>
        new() { Topic = topic, Payload = "x"u8.ToArray(), QoS = MqttQualityOfService.AtLeastOnce, PacketId = id };
}
