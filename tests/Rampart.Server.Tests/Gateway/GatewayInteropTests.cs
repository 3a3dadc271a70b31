using System.Text.Json;
using System.Text.RegularExpressions;
using Rampart.Testing;

namespace Rampart.Server.Tests.Gateway;

/// <summary>
/// Real peers against the gateway: mosquitto_pub/mosquitto_sub (3.1.1 and 5.0), MQTT.js and openssl,
/// with certificates enrolled through the node's CA. test.sh installs mosquitto-clients and MQTT.js.
/// </summary>
public sealed partial class GatewayInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string[] Tls(EnrolledIdentity identity, string clientId) =>
        ["-h", "127.0.0.1", "-p", _node.Mqtt.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cafile", _node.RootPemPath,
         "--cert", identity.CertificatePath, "--key", identity.KeyPath, "-i", clientId];

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Mosquitto_clients_exchange_commands_at_QoS2_and_are_refused_another_devices_topic(string version)
    {
        var device = await _node.EnrollDeviceAsync($"plug-{version}");
        var service = await _node.ServiceAsync("ingest");
        using var subscriber = RunningProcess.Start("mosquitto_sub", [.. Tls(device, device.Id), "-V", version, "-q", "2", "-t", $"devices/{device.Id}/commands/#", "-C", "1", "-v", "-W", "20"]);
        await WaitSubscribedAsync(device.Id);

        var (published, publishOutput) = await RunningProcess.RunAsync("mosquitto_pub",
            [.. Tls(service, "ingest-ops"), "-V", version, "-q", "2", "-t", $"devices/{device.Id}/commands/relay", "-m", "off"], Patience);
        Assert.True(published == 0, publishOutput);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Patience));
        Assert.Contains($"devices/{device.Id}/commands/relay off", subscriber.Output, StringComparison.Ordinal);

        var (telemetry, telemetryOutput) = await RunningProcess.RunAsync("mosquitto_pub",
            [.. Tls(device, device.Id), "-V", version, "-q", "1", "-t", $"devices/{device.Id}/telemetry/power", "-m", "42"], Patience);
        Assert.True(telemetry == 0, telemetryOutput);

        var (denied, deniedOutput) = await RunningProcess.RunAsync("mosquitto_sub",
            [.. Tls(device, device.Id), "-V", version, "-t", "devices/someone-else/commands/#", "-C", "1", "-W", "5"], Patience);
        // mosquitto_sub reports a fully refused SUBSCRIBE and stops (its exit code is 0 for that).
        Assert.True(denied == 0, deniedOutput);
        Assert.Contains("All subscription requests were denied", deniedOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retained_state_and_a_will_reach_the_service_through_mosquitto()
    {
        var device = await _node.EnrollDeviceAsync("boiler-1");
        var service = await _node.ServiceAsync("ingest");
        var (retained, retainedOutput) = await RunningProcess.RunAsync("mosquitto_pub",
            [.. Tls(device, device.Id), "-V", "mqttv5", "-q", "1", "-r", "-t", $"devices/{device.Id}/state", "-m", "online"], Patience);
        Assert.True(retained == 0, retainedOutput);

        using var watcher = RunningProcess.Start("mosquitto_sub", [.. Tls(service, "ingest-watch"), "-V", "mqttv5", "-t", $"devices/{device.Id}/state", "-C", "2", "-v", "-W", "20"]);
        await watcher.WaitForOutputAsync(RetainedState(), Patience);

        // A device that dies without DISCONNECT: its will is published.
        using var dying = RunningProcess.Start("mosquitto_sub",
            [.. Tls(device, device.Id), "-V", "mqttv5", "-t", $"devices/{device.Id}/config", "--will-topic", $"devices/{device.Id}/state", "--will-payload", "lost", "--will-qos", "1"]);
        await WaitSubscribedAsync(device.Id);
        dying.KillHard();

        Assert.Equal(0, await watcher.WaitForExitAsync(Patience));
        Assert.Contains($"devices/{device.Id}/state lost", watcher.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_MQTTjs_device_over_mutual_TLS_gets_its_own_topics_and_not_another_devices()
    {
        var device = await _node.EnrollDeviceAsync("js-device");
        var script = Path.Combine(InteropDirectory, "mqttjs-device.mjs");
        var (exit, output) = await RunningProcess.RunAsync("node",
            [script, "127.0.0.1", _node.Mqtt.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), _node.RootPemPath, device.CertificatePath, device.KeyPath, device.Id, "other-device"], Patience);
        Assert.True(exit == 0, output);
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal(0, root.GetProperty("connack").GetInt32());
        Assert.Equal([1, 0x87], root.GetProperty("suback").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(0, root.GetProperty("ownPuback").GetInt32());
        Assert.Equal(0x87, root.GetProperty("foreignPuback").GetInt32());
    }

    [Fact]
    public async Task TLS_1_1_and_plaintext_MQTT_are_refused_on_the_MQTT_port()
    {
        var device = await _node.EnrollDeviceAsync("legacy-1");
        var port = _node.Mqtt.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (tls11, tls11Output) = await RunningProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port}", "-tls1_1", "-cert", device.CertificatePath, "-key", device.KeyPath, "-CAfile", _node.RootPemPath], Patience, standardInput: string.Empty);
        Assert.NotEqual(0, tls11);
        Assert.Contains("alert protocol version", tls11Output, StringComparison.Ordinal);
        Assert.Contains("Cipher is (NONE)", tls11Output, StringComparison.Ordinal);

        var (plain, plainOutput) = await RunningProcess.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", port, "-i", device.Id, "-t", $"devices/{device.Id}/telemetry/x", "-m", "plaintext"], Patience);
        Assert.NotEqual(0, plain);
        Assert.DoesNotContain("CONNACK (0)", plainOutput, StringComparison.Ordinal);

        var (noCert, noCertOutput) = await RunningProcess.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", port, "--cafile", _node.RootPemPath, "-i", device.Id, "-t", $"devices/{device.Id}/telemetry/x", "-m", "x"], Patience);
        Assert.NotEqual(0, noCert);
    }

    internal static string InteropDirectory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "tests", "interop")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("tests/interop not found above the test binaries"), "tests", "interop");
        }
    }

    private async Task WaitSubscribedAsync(string deviceId)
    {
        for (var attempt = 0; attempt < 200 && !_node.Get<Rampart.Server.Gateway.MqttGateway>().Broker.IsConnected(deviceId); attempt++)
        {
            await Task.Delay(50);
        }

        // The SUBSCRIBE follows the CONNECT on the same connection; give it a moment to be processed.
        await Task.Delay(300);
        Assert.True(_node.Get<Rampart.Server.Gateway.MqttGateway>().Broker.IsConnected(deviceId), $"{deviceId} did not connect");
    }

    [GeneratedRegex(@"/state online")]
    private static partial Regex RetainedState();
}
