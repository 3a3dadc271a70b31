using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Server.Gateway.Tls;
using Rampart.Testing;
using Xunit.Abstractions;

namespace Rampart.Server.Tests.Gateway;

/// <summary>
/// The MQTT listener's own TLS adapter over libssl (the default, docs/mqtt.md "TLS implementation"):
/// the policy of the SslStream path held by real openssl clients, hostile handshakes that leave
/// nothing behind, and the verified-certificate cache that never weakens the live checks.
/// </summary>
public sealed class MqttOpenSslTlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(new Dictionary<string, string?> { ["Rampart:Gateway:Tls:Implementation"] = "OpenSsl" });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private MqttGateway Gateway => _node.Get<MqttGateway>();

    [Fact]
    public async Task The_listener_is_served_by_the_OpenSSL_adapter_and_a_device_connects_over_TLS_1_3()
    {
        Assert.Equal(MqttTlsImplementation.OpenSsl, Gateway.TlsImplementation);
        var device = await _node.EnrollDeviceAsync("ossl-1");
        var (_, probe) = await SClientAsync(["-cert", device.CertificatePath, "-key", device.KeyPath]);
        output.WriteLine(probe);
        Assert.Contains("New, TLSv1.3", probe, StringComparison.Ordinal);

        await using var client = await _node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
    }

    [Fact]
    public async Task Openssl_without_a_client_certificate_is_refused_in_the_handshake()
    {
        var (_, probe) = await SClientAsync(["-tls1_2"]);
        output.WriteLine(probe);

        // TLS 1.2: the server's Finished never comes; its handshake_failure alert does (RFC 5246 §7.4.6).
        Assert.Contains("SSL alert number 40", probe, StringComparison.Ordinal);

        Assert.NotNull(await _node.EventAsync("gateway.refused", e => e.Details["reason"] == "tls-handshake-failed"));
        await PollAsync(() => Gateway.Connections.Open == 0, "the refused connection was released");
    }

    [Fact]
    public async Task A_certificate_from_another_CA_is_refused_and_recorded_as_unknown_ca()
    {
        var foreign = _node.Foreign("ossl-foreign");
        var (_, probe) = await SClientAsync(["-tls1_2", "-cert", foreign.CertificatePath, "-key", foreign.KeyPath]);
        output.WriteLine(probe);

        // unknown_ca (RFC 5246 §7.2.2), and the server's Finished never comes.
        Assert.Contains("SSL alert number 48", probe, StringComparison.Ordinal);
        Assert.Equal("unknown-ca", (await _node.EventAsync("gateway.refused", e => e.Details["reason"] == "unknown-ca")).Details["reason"]);
        Assert.Equal(0, Gateway.VerifiedCertificates.Count);
    }

    [Theory]
    [InlineData("-tls1_1", "DEFAULT:@SECLEVEL=0")]
    [InlineData("-tls1", "DEFAULT:@SECLEVEL=0")]
    [InlineData("-tls1_2", "ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0")]
    [InlineData("-tls1_2", "ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0")]
    [InlineData("-tls1_2", "AES128-GCM-SHA256:@SECLEVEL=0")]
    public async Task An_old_protocol_a_CBC_suite_or_RSA_key_exchange_is_refused_even_with_a_valid_certificate(string protocol, string ciphers)
    {
        var device = await _node.EnrollDeviceAsync("ossl-old-" + Math.Abs(StringComparer.Ordinal.GetHashCode(protocol + ciphers)) % 100000);
        var (_, probe) = await SClientAsync([protocol, "-cipher", ciphers, "-cert", device.CertificatePath, "-key", device.KeyPath]);
        output.WriteLine(probe);

        // The client sent its hello (so the refusal is the server's), and no session was established.
        Assert.Contains("CONNECTED", probe, StringComparison.Ordinal);
        Assert.Contains("Cipher is (NONE)", probe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_AEAD_suites_of_TLS_1_2_are_accepted()
    {
        var device = await _node.EnrollDeviceAsync("ossl-aead");
        foreach (var suite in new[] { "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305" })
        {
            var (_, probe) = await SClientAsync(["-tls1_2", "-cipher", suite, "-cert", device.CertificatePath, "-key", device.KeyPath]);
            output.WriteLine(probe);
            Assert.Contains($"Cipher is {suite}", probe, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Garbage_a_truncated_ClientHello_and_a_silent_client_leave_no_connection_behind()
    {
        var baseline = Gateway.Connections.Open;
        var hello = await CapturedClientHelloAsync();

        // Not TLS at all; half a ClientHello then close; half a ClientHello then hold the socket open (the handshake timeout ends it).
        using (var garbage = await ConnectRawAsync())
        {
            await garbage.SendAsync("MQTT is not TLS\r\n\r\n"u8.ToArray());
            await ReadUntilClosedAsync(garbage);
        }

        using (var truncated = await ConnectRawAsync())
        {
            await truncated.SendAsync(hello.AsMemory(0, hello.Length / 2));
            truncated.Shutdown(SocketShutdown.Send);
            await ReadUntilClosedAsync(truncated);
        }

        // A record header that announces more than any TLS record may hold (RFC 8446 §5.1: 2^14).
        using (var oversized = await ConnectRawAsync())
        {
            await oversized.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0xFF, 0xFF }.Concat(new byte[4096]).ToArray());
            await ReadUntilClosedAsync(oversized);
        }

        await PollAsync(() => Gateway.Connections.Open == baseline, "every hostile connection was released");

        // The listener still serves a well-behaved device.
        var device = await _node.EnrollDeviceAsync("ossl-after-garbage");
        await using var client = await _node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
    }

    [Fact]
    public async Task A_known_certificate_skips_the_chain_build_but_a_revoked_one_is_still_refused()
    {
        var device = await _node.EnrollDeviceAsync("ossl-cache");
        await using (var first = await _node.ConnectAsync(device))
        {
            Assert.Equal(MqttReasonCode.Success, (await first.ConnectAsync(device.Id)).ReasonCode);
        }

        var anchors = new[] { _node.Authority.Root }.Concat(_node.Authority.TrustedIssuers).ToList();
        Assert.True(Gateway.VerifiedCertificates.Contains(device.Certificate.RawData, anchors));

        await _node.Get<RevocationService>().RevokeSerialAsync(device.Serial, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);
        await using var again = await _node.ConnectAsync(device);
        var connAck = await again.ConnectAsync(device.Id);
        Assert.Equal(MqttReasonCode.NotAuthorized, connAck.ReasonCode);
        Assert.Contains("revoked", connAck.Properties.ReasonString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mosquitto_client_publishes_over_the_adapter()
    {
        var device = await _node.EnrollDeviceAsync("ossl-mosq");
        var (exitCode, text) = await RunningProcess.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", _node.Mqtt.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cafile", _node.RootPemPath,
                "--cert", device.CertificatePath, "--key", device.KeyPath, "--insecure", "-i", device.Id, "-t", $"devices/{device.Id}/telemetry/t", "-m", "42", "-q", "1", "-V", "mqttv5"],
            Patience);
        output.WriteLine(text);
        Assert.Equal(0, exitCode);
    }

    private async Task<(int ExitCode, string Output)> SClientAsync(string[] extra) =>
        await RunningProcess.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{_node.Mqtt.Port}", "-CAfile", _node.RootPemPath, "-servername", "localhost", .. extra], Patience, standardInput: string.Empty);

    // A real ClientHello, as openssl sends it to a listener that never answers.
    private static async Task<byte[]> CapturedClientHelloAsync()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var client = RunningProcess.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3"], Patience, standardInput: string.Empty);
        using var accepted = await listener.AcceptSocketAsync();
        var buffer = new byte[16 * 1024];
        var length = 0;
        using var deadline = new CancellationTokenSource(Patience);
        while (length < 5 || length < 5 + ((buffer[3] << 8) | buffer[4]))
        {
            var read = await accepted.ReceiveAsync(buffer.AsMemory(length), deadline.Token);
            Assert.True(read > 0, "openssl closed before sending its ClientHello");
            length += read;
        }

        accepted.Close();
        await client;
        return buffer[..length];
    }

    private async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_node.Mqtt);
        return socket;
    }

    private static async Task ReadUntilClosedAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(Patience);
        try
        {
            while (await socket.ReceiveAsync(buffer, deadline.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, "timed out waiting until " + what);
            await Task.Delay(50);
        }
    }
}
