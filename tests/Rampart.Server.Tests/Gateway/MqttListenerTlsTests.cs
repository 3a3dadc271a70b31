using System.Net.Security;
using System.Net.Sockets;
using Rampart.Attack.Probes;
using Rampart.Device.Connection;
using Rampart.Mqtt.Protocol;
using Rampart.Testing;
using Xunit.Abstractions;

namespace Rampart.Server.Tests.Gateway;

/// <summary>The MQTT listener's TLS: ALPN ids for MQTT only, and how a client without a certificate is refused, against SslStream and openssl.</summary>
public sealed class MqttListenerTlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private string Port => _node.Mqtt.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("mqtt")]
    [InlineData("x-amzn-mqtt-ca")]
    public async Task A_client_offering_an_MQTT_ALPN_id_gets_it_and_connects(string alpn)
    {
        var device = await _node.EnrollDeviceAsync("alpn-" + alpn.Length);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_node.Mqtt);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        MqttProbeClient? client = null;
        try
        {
            var options = RampartTls.ClientOptions("localhost", _node.Root, device.Certificate);
            options.ApplicationProtocols = [new SslApplicationProtocol(alpn), SslApplicationProtocol.Http11];

            await ssl.AuthenticateAsClientAsync(options);

            Assert.Equal(alpn, ssl.NegotiatedApplicationProtocol.ToString());
            client = MqttProbeClient.Over(System.IO.Pipelines.PipeReader.Create(ssl), System.IO.Pipelines.PipeWriter.Create(ssl));
            Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
        }
        finally
        {
            // The stream first, so the client's pending read ends at once.
            await ssl.DisposeAsync();
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Openssl_with_ALPN_mqtt_negotiates_mqtt_and_is_never_offered_HTTP()
    {
        var device = await _node.EnrollDeviceAsync("alpn-openssl");
        var (_, mqttOutput) = await SClientAsync(["-alpn", "mqtt", "-cert", device.CertificatePath, "-key", device.KeyPath]);
        output.WriteLine(mqttOutput);
        Assert.Contains("ALPN protocol: mqtt", mqttOutput, StringComparison.Ordinal);

        var (_, httpOutput) = await SClientAsync(["-alpn", "h2,http/1.1", "-cert", device.CertificatePath, "-key", device.KeyPath]);
        output.WriteLine(httpOutput);
        Assert.DoesNotContain("ALPN protocol: h2", httpOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("ALPN protocol: http/1.1", httpOutput, StringComparison.Ordinal);

        var (_, noneOutput) = await SClientAsync(["-cert", device.CertificatePath, "-key", device.KeyPath]);
        output.WriteLine(noneOutput);
        Assert.Contains("No ALPN negotiated", noneOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Cipher is (NONE)", noneOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_as_the_launcher_starts_it_the_node_offers_only_the_ECDHE_groups_X25519_P256_P384()
    {
        using var temp = new TempDirectory();
        var port = FreePort();
        var config = Path.Combine(AppContext.BaseDirectory, "rampart-openssl.cnf");
        Assert.True(File.Exists(config), "rampart-openssl.cnf is not next to the binaries");
        using var node = EndToEnd.RampartCli.ServeWithout(null, new Dictionary<string, string> { ["OPENSSL_CONF"] = config },
            "--data", temp.Sub("data"), "--https", "127.0.0.1:0", "--mqtt", $"127.0.0.1:{port}");
        await EndToEnd.RampartCli.WaitUntilReadyAsync(node);

        // The client offers one group at a time (its own OpenSSL defaults untouched); TLS 1.3 completes without a client certificate on the client's side.
        var outcomes = new Dictionary<string, bool>();
        foreach (var group in new[] { "X25519", "P-256", "P-384", "ffdhe2048", "ffdhe3072", "X448" })
        {
            var (_, probe) = await RunningProcess.RunAsync("openssl",
                ["s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-groups", group, "-servername", "localhost"], Patience, standardInput: string.Empty);
            output.WriteLine($"{group}: {probe}");
            outcomes[group] = !probe.Contains("Cipher is (NONE)", StringComparison.Ordinal) && probe.Contains("New, TLSv1.3", StringComparison.Ordinal);
        }

        node.Terminate();
        Assert.Equal(
            new Dictionary<string, bool> { ["X25519"] = true, ["P-256"] = true, ["P-384"] = true, ["ffdhe2048"] = false, ["ffdhe3072"] = false, ["X448"] = false },
            outcomes);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<(int ExitCode, string Output)> SClientAsync(string[] extra) =>
        await RunningProcess.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{Port}", "-CAfile", _node.RootPemPath, "-servername", "localhost", .. extra], Patience, standardInput: string.Empty);
}
