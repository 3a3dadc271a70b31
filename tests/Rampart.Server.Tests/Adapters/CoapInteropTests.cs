using System.Globalization;
using System.Text;
using Rampart.Adapters.Credentials;
using Rampart.Adapters.FrontDoors;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Adapters;
using Rampart.Server.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// CoAP over DTLS 1.2 against a real peer: <c>coap-client-openssl</c> from Debian's libcoap3-bin
/// (tests/packages/adapters.list), with per-device PSKs Rampart issued and with device certificates.
/// </summary>
public sealed class CoapInteropTests(AdapterNode fixture) : IClassFixture<AdapterNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private string Coaps(string path) =>
        $"coaps://127.0.0.1:{fixture.Node.Get<CoapHost>().Listener!.BoundEndPoint!.Port.ToString(CultureInfo.InvariantCulture)}{path}";

    private async Task<string> PskDeviceAsync(string id)
    {
        await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);
        return (await fixture.Node.Get<DeviceCredentials>().IssuePskAsync(id, "test", CancellationToken.None)).Secret;
    }

    private static Task<(int ExitCode, string Output)> CoapAsync(params string[] arguments) =>
        RunningProcess.RunAsync("coap-client-openssl", ["-B", "10", .. arguments], Patience);

    // A refused handshake: coap-client retries until -B; the refusal is asserted from the node's events.
    // -B leaves the client time to reach its Finished on a loaded machine (the PSK identity comes in ClientKeyExchange).
    private static Task<(int ExitCode, string Output)> RefusedAsync(params string[] arguments) =>
        RunningProcess.RunAsync("coap-client-openssl", ["-B", "8", .. arguments], Patience);

    [Fact]
    public async Task A_psk_device_posts_telemetry_under_its_own_identity_and_is_refused_another_devices_resource()
    {
        var psk = await PskDeviceAsync("coap-psk-1");
        await PskDeviceAsync("coap-psk-victim");

        var (exit, output) = await CoapAsync("-m", "post", "-u", "coap-psk-1", "-k", psk, "-t", "0", "-e", "21.5", Coaps("/t/temperature"));
        Assert.True(exit == 0, output);
        var message = await fixture.RoutedAsync("devices/coap-psk-1/telemetry/temperature");
        Assert.Equal(("device:coap-psk-1", "21.5"), (message.Publisher, Encoding.UTF8.GetString(message.Payload.Span)));
        Assert.Contains(message.Properties.UserProperties, p => p.Name == Marks.FrontDoor && p.Value == FrontDoorNames.Coap);

        var (_, denied) = await CoapAsync("-m", "post", "-u", "coap-psk-1", "-k", psk, "-e", "0", Coaps("/d/coap-psk-victim/t/temperature"));
        Assert.Contains("4.03", denied, StringComparison.Ordinal);
        var (_, observeOther) = await CoapAsync("-m", "get", "-u", "coap-psk-1", "-k", psk, Coaps("/d/coap-psk-victim/c"));
        Assert.Contains("4.03", observeOther, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Routed, m => m.Topic.StartsWith("devices/coap-psk-victim/", StringComparison.Ordinal));
        await fixture.Node.EventAsync("gateway.publish-denied", e => e.DeviceId == "coap-psk-1" && e.Details["topic"] == "devices/coap-psk-victim/telemetry/temperature");
    }

    [Fact]
    public async Task An_unknown_psk_identity_a_default_key_and_a_rotated_key_are_refused()
    {
        var first = await PskDeviceAsync("coap-psk-2");

        await Task.WhenAll(
            RefusedAsync("-m", "post", "-u", "nobody-here", "-k", first, "-e", "1", Coaps("/t/t")),
            RefusedAsync("-m", "post", "-u", "coap-psk-2", "-k", "admin", "-e", "1", Coaps("/t/t")));
        var rotated = await fixture.Node.Get<DeviceCredentials>().IssuePskAsync("coap-psk-2", "test", CancellationToken.None);
        await RefusedAsync("-m", "post", "-u", "coap-psk-2", "-k", first, "-e", "1", Coaps("/t/t"));
        var (exit, current) = await CoapAsync("-m", "post", "-u", "coap-psk-2", "-k", rotated.Secret, "-e", "2", Coaps("/t/t"));

        Assert.True(exit == 0, current);
        Assert.Equal(first.Length, rotated.Secret.Length);
        Assert.NotEqual(first, rotated.Secret);
        Assert.Equal("2", Encoding.UTF8.GetString((await fixture.RoutedAsync("devices/coap-psk-2/telemetry/t")).Payload.Span));
        Assert.Single(fixture.Routed, m => m.Topic == "devices/coap-psk-2/telemetry/t");
        await fixture.Node.EventAsync("gateway.refused", e => e.Details["reason"] == "unknown-psk-identity" && e.Details.GetValueOrDefault("claimed-client-id") == "nobody-here");
        await fixture.Node.EventAsync("gateway.refused", e => e.Details["reason"] == "psk-mismatch" && e.Details.GetValueOrDefault("claimed-client-id") == "coap-psk-2");
    }

    [Fact]
    public async Task A_certificate_device_observes_its_commands_and_posts_telemetry()
    {
        var device = await fixture.Node.EnrollDeviceAsync("coap-cert-1");
        string[] tls = ["-c", device.CertificatePath, "-j", device.KeyPath, "-C", fixture.Node.RootPemPath];
        var (exit, output) = await CoapAsync(["-m", "post", .. tls, "-e", "on", Coaps("/t/relay/state")]);
        Assert.True(exit == 0, output);
        Assert.Equal("device:coap-cert-1", (await fixture.RoutedAsync("devices/coap-cert-1/telemetry/relay/state")).Publisher);

        using var observer = RunningProcess.Start("coap-client-openssl", ["-m", "get", "-s", "40", "-B", "40", .. tls, Coaps("/c")]);
        await fixture.LinkOpenAsync("coap-cert-1");
        var broker = fixture.Node.Get<MqttGateway>().Broker;
        await Eventually.HoldsAsync(() =>
        {
            broker.Publish("devices/coap-cert-1/commands/relay", "off"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
            return Task.FromResult(observer.Output.Contains(Convert.ToBase64String("off"u8), StringComparison.Ordinal));
        }, "the command reaches the observing coap-client");
        Assert.Contains("\"name\":\"relay\"", observer.Output, StringComparison.Ordinal);
    }
}
