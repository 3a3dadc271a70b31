using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Rampart.Adapters.Credentials;
using Rampart.Adapters.FrontDoors;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;

namespace Rampart.Server.Tests.Adapters;

/// <summary>The confined legacy path: explicit registration, own secrets, the named adapter only, telemetry only, tighter limits, every message marked.</summary>
public sealed class LegacyAdapterTests(AdapterNode fixture) : IClassFixture<AdapterNode>
{
    private DeviceCredentials Credentials => fixture.Node.Get<DeviceCredentials>();

    private async Task<string> LegacyAsync(string id)
    {
        await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice(id, Model: "meter-1998"), "test", CancellationToken.None);
        return (await Credentials.RegisterLegacyAsync(id, "no TLS client certificate support", "test", CancellationToken.None)).Secret;
    }

    [Fact]
    public async Task A_legacy_device_posts_telemetry_with_its_own_secret_through_the_legacy_adapter_and_every_message_is_marked()
    {
        var secret = await LegacyAsync("legacy-meter-1");
        var (status, body) = await fixture.CurlAsync(null, "POST", "/device/v1/legacy/telemetry/kwh", "-u", "legacy-meter-1:" + secret, "--data-binary", "1234");

        Assert.True(status == 202, body);
        var message = await fixture.RoutedAsync("devices/legacy-meter-1/telemetry/kwh");
        Assert.Equal(("device:legacy-meter-1", "1234"), (message.Publisher, Encoding.UTF8.GetString(message.Payload.Span)));
        Assert.Contains(message.Properties.UserProperties, p => p.Name == Marks.Legacy && p.Value == "true");
        Assert.Contains(message.Properties.UserProperties, p => p.Name == Marks.FrontDoor && p.Value == FrontDoorNames.Legacy);
        Assert.Contains(await Credentials.ListLegacyAsync(CancellationToken.None), r => r.DeviceId == "legacy-meter-1" && r.Replaced is null);
        await fixture.Node.EventAsync("adapter.legacy-device-registered", e => e.DeviceId == "legacy-meter-1");
    }

    [Fact]
    public async Task A_wrong_secret_a_default_credential_and_another_legacy_devices_secret_are_refused()
    {
        var mine = await LegacyAsync("legacy-meter-2");
        var theirs = await LegacyAsync("legacy-meter-3");
        Assert.NotEqual(mine, theirs);
        Assert.Equal(DeviceSecrets.Length, mine.Length);

        foreach (var wrong in new[] { theirs, "admin", mine[..^1] })
        {
            var (status, body) = await fixture.CurlAsync(null, "POST", "/device/v1/legacy/telemetry/kwh", "-u", "legacy-meter-2:" + wrong, "--data-binary", "1");
            Assert.True(status == 401, body);
        }

        Assert.DoesNotContain(fixture.Routed, m => m.Topic == "devices/legacy-meter-2/telemetry/kwh");
        await fixture.Node.EventAsync("gateway.refused", e => e.Details["reason"] == "bad-credential" && e.Details.GetValueOrDefault("claimed-client-id") == "legacy-meter-2");
    }

    [Fact]
    public async Task A_legacy_device_gets_no_psk_no_commands_and_tighter_limits()
    {
        var secret = await LegacyAsync("legacy-meter-4");
        var refused = await Assert.ThrowsAsync<FleetException>(() => Credentials.IssuePskAsync("legacy-meter-4", "test", CancellationToken.None));
        Assert.Contains("registered as legacy", refused.Message, StringComparison.Ordinal);

        using var client = fixture.Node.Node.HttpsClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("legacy-meter-4:" + secret)));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.PostAsync("/device/v1/legacy/telemetry/kwh", new ByteArrayContent([1]));
            statuses.Add(response.StatusCode);
        }

        // LegacyMessageBurst is 3 in this node (the gateway's device burst is 200).
        Assert.Equal(HttpStatusCode.Accepted, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Count(s => s == HttpStatusCode.Accepted) <= 4, string.Join(",", statuses));
        using var commands = await client.GetAsync("/device/v1/commands?wait=0");
        Assert.Equal(HttpStatusCode.Unauthorized, commands.StatusCode);
        using var big = await client.PostAsync("/device/v1/legacy/telemetry/kwh", new ByteArrayContent(new byte[5000]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }
}
