using System.Text;
using Rampart.Adapters.FrontDoors;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>The HTTPS device API with real curl and device certificates from the node's CA (mutual TLS on the HTTPS listener).</summary>
public sealed class HttpsDeviceApiTests(AdapterNode fixture) : IClassFixture<AdapterNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_device_posting_telemetry_with_curl_is_published_under_its_own_identity_and_marked_https()
    {
        var device = await fixture.Node.EnrollDeviceAsync("http-meter-1");
        var (status, body) = await fixture.CurlAsync(device, "POST", "/device/v1/telemetry/power/l1", "-H", "Content-Type: text/plain", "--data-binary", "230.5");

        Assert.True(status == 202, body);
        Assert.Contains("devices/http-meter-1/telemetry/power/l1", body, StringComparison.Ordinal);
        var message = await fixture.RoutedAsync("devices/http-meter-1/telemetry/power/l1");
        Assert.Equal(("device:http-meter-1", "230.5", "text/plain"), (message.Publisher, Encoding.UTF8.GetString(message.Payload.Span), message.Properties.ContentType));
        Assert.Contains(message.Properties.UserProperties, p => p.Name == Marks.FrontDoor && p.Value == FrontDoorNames.Https);
        Assert.DoesNotContain(message.Properties.UserProperties, p => p.Name == Marks.Legacy);
        Assert.True(fixture.Node.Get<TrafficCounters>().Find("device:http-meter-1")!.MessagesIn >= 1);
    }

    [Fact]
    public async Task Another_devices_telemetry_and_commands_are_refused_and_recorded_as_for_MQTT()
    {
        var device = await fixture.Node.EnrollDeviceAsync("http-meter-2");
        await fixture.Node.EnrollDeviceAsync("http-victim");

        var (publish, publishBody) = await fixture.CurlAsync(device, "POST", "/device/v1/devices/http-victim/telemetry/power", "--data-binary", "0");
        var (subscribe, subscribeBody) = await fixture.CurlAsync(device, "GET", "/device/v1/devices/http-victim/commands?wait=0");
        var (own, _) = await fixture.CurlAsync(device, "POST", "/device/v1/devices/http-meter-2/telemetry/power", "--data-binary", "1");

        Assert.True(publish == 403, publishBody);
        Assert.Contains("may not publish to", publishBody, StringComparison.Ordinal);
        Assert.Contains("devices/http-victim/telemetry/power", publishBody, StringComparison.Ordinal);
        Assert.True(subscribe == 403, subscribeBody);
        Assert.Equal(202, own);
        Assert.DoesNotContain(fixture.Routed, m => m.Topic.StartsWith("devices/http-victim/", StringComparison.Ordinal));
        await fixture.Node.EventAsync("gateway.publish-denied", e => e.DeviceId == "http-meter-2" && e.Details["topic"] == "devices/http-victim/telemetry/power");
        await fixture.Node.EventAsync("gateway.subscribe-denied", e => e.DeviceId == "http-meter-2" && e.Details["filter"] == "devices/http-victim/commands/#");
    }

    [Fact]
    public async Task A_command_published_to_the_device_reaches_its_long_poll_and_an_empty_wait_answers_204()
    {
        var device = await fixture.Node.EnrollDeviceAsync("http-relay");
        var (empty, _) = await fixture.CurlAsync(device, "GET", "/device/v1/commands?wait=0");
        Assert.Equal(204, empty);

        using var poll = RunningProcess.Start("curl", ["-sS", "-i", "--cacert", fixture.Node.RootPemPath, "--cert", device.CertificatePath, "--key", device.KeyPath,
            fixture.Https + "/device/v1/commands?wait=50"]);
        await fixture.LinkOpenAsync("http-relay");
        fixture.Node.Get<MqttGateway>().Broker.Publish("devices/http-relay/commands/relay", "on"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);

        Assert.Equal(0, await poll.WaitForExitAsync(Patience));
        Assert.Contains("HTTP/2 200", poll.Output, StringComparison.Ordinal);
        Assert.Contains("rampart-command: relay", poll.Output, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("on", poll.Output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quarantined_device_may_not_post_telemetry_and_a_revoked_one_is_not_authenticated()
    {
        var quarantined = await fixture.Node.EnrollDeviceAsync("http-suspect");
        var revoked = await fixture.Node.EnrollDeviceAsync("http-stolen");
        Assert.Equal(202, (await fixture.CurlAsync(quarantined, "POST", "/device/v1/telemetry/t", "--data-binary", "1")).Status);

        await fixture.Node.Get<InventoryService>().QuarantineAsync("http-suspect", "tamper report", "test", CancellationToken.None);
        await fixture.Node.Get<RevocationService>().RevokeSerialAsync(revoked.Serial, System.Security.Cryptography.X509Certificates.X509RevocationReason.KeyCompromise, "test", CancellationToken.None);

        await Eventually.HoldsAsync(async () => (await fixture.CurlAsync(quarantined, "POST", "/device/v1/telemetry/t", "--data-binary", "2")).Status == 403,
            "the quarantined device is refused telemetry");
        var (status, body) = await fixture.CurlAsync(revoked, "POST", "/device/v1/telemetry/t", "--data-binary", "3");
        Assert.True(status == 401, body);
        Assert.Contains("revoked", body, StringComparison.Ordinal);
        await fixture.Node.EventAsync("gateway.refused", e => e.Details["reason"] == "revoked" && e.Details.GetValueOrDefault("serial") == revoked.Serial);
    }

    [Fact]
    public async Task Oversized_bodies_bad_names_and_missing_certificates_get_clear_errors()
    {
        var device = await fixture.Node.EnrollDeviceAsync("http-limits");
        var big = Path.Combine(Path.GetTempPath(), $"rampart-big-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(big, new byte[70 * 1024]);
        try
        {
            var (tooLarge, tooLargeBody) = await fixture.CurlAsync(device, "POST", "/device/v1/telemetry/blob", "--data-binary", "@" + big);
            Assert.True(tooLarge == 413, tooLargeBody);
            Assert.Contains("over 65536 bytes", tooLargeBody, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(big);
        }

        var (wildcard, wildcardBody) = await fixture.CurlAsync(device, "POST", "/device/v1/telemetry/a/%2B", "--data-binary", "1");
        Assert.True(wildcard == 400, wildcardBody);
        Assert.Contains("levels must be non-empty", wildcardBody, StringComparison.Ordinal);
        var (anonymous, anonymousBody) = await fixture.CurlAsync(null, "POST", "/device/v1/telemetry/t", "--data-binary", "1");
        Assert.True(anonymous == 401, anonymousBody);
        Assert.Contains("client certificate is required", anonymousBody, StringComparison.Ordinal);
        var (badWait, _) = await fixture.CurlAsync(device, "GET", "/device/v1/commands?wait=3600");
        Assert.Equal(400, badWait);
    }
}
