using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Device.Connection;
using Rampart.Device.Connection.Tls;
using Rampart.Device.Enrollment;
using Rampart.Device.Identity.Tpm;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// A device whose key never leaves its TPM (swtpm as a plain process on loopback) enrolls with a
/// TPM-signed CSR, then talks MQTT to a real node over mutual TLS with that key through the SDK's
/// libssl client (<see cref="OpenSslClientConnection"/>): the CertificateVerify is signed by the TPM.
/// It also renews over EST authenticated by that TPM key onto a second TPM key. A wrong pinned root,
/// a wrong server name and a TPM that stopped answering fail the connect with a reason.
/// </summary>
[Collection(nameof(Swtpm))]
public sealed class TpmMutualTlsTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private GatewayNode _node = null!;
    private TpmKeyStore _store = null!;

    public async Task InitializeAsync()
    {
        _node = await GatewayNode.StartAsync();
        _store = new TpmKeyStore(new TpmKeyStoreOptions { CertificateDirectory = _temp.Sub("device"), Tcti = Swtpm.Shared.Tcti, PersistentHandle = 0x81000126 });
    }

    public async Task DisposeAsync()
    {
        await _store.DeleteKeyAsync(CancellationToken.None);
        _store.Dispose();
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_device_with_a_tpm_held_key_connects_over_mutual_tls_publishes_and_receives_a_command()
    {
        Assert.True(Swtpm.Installed, "swtpm, tpm2-tools and tpm2-openssl are needed (tests/packages/keys.list)");
        using var certificate = await EnrollAsync("tpm-mqtt-1");

        // The node's own view of the session: the client certificate it verified is the TPM key's.
        var service = await _node.ServiceAsync("ingest");
        await using var backend = await _node.ConnectAsync(service);
        await backend.ConnectAsync("ingest-tpm");
        await backend.SubscribeAsync(1, new TopicSubscription("$share/ingest/devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce));

        var commands = new TaskCompletionSource<DeviceMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var device = new DeviceMqttClient(Options("tpm-mqtt-1", _node.Root, () => certificate))
        {
            OnMessage = message =>
            {
                commands.TrySetResult(message);
                return Task.CompletedTask;
            },
        };
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        await device.SubscribeAsync("devices/tpm-mqtt-1/commands/#");

        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/tpm-mqtt-1/telemetry/temp", "21.5"u8.ToArray()));
        Assert.Equal("21.5", Encoding.UTF8.GetString((await backend.ExpectAsync<PublishPacket>()).Payload.Span));
        Assert.Equal(MqttReasonCode.NotAuthorized, await device.PublishAsync("devices/other/telemetry/temp", "x"u8.ToArray()));

        await Eventually.HoldsAsync(async () =>
        {
            _node.Get<MqttGateway>().Broker.Publish("devices/tpm-mqtt-1/commands/reboot", "now"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
            await Task.WhenAny(commands.Task, Task.Delay(200));
            return commands.Task.IsCompleted;
        }, "a command reaches the TPM-keyed device");
        var command = await commands.Task;
        Assert.Equal(("devices/tpm-mqtt-1/commands/reboot", "now"), (command.Topic, Encoding.UTF8.GetString(command.Payload.Span)));

        // The key that authenticated the session is still only a TPM handle.
        using var privateKey = certificate.GetECDsaPrivateKey()!;
        Assert.ThrowsAny<CryptographicException>(() => privateKey.ExportPkcs8PrivateKey());
    }

    [Fact]
    public async Task The_libssl_client_negotiates_tls_1_3_and_sees_the_nodes_certificate()
    {
        using var certificate = await EnrollAsync("tpm-mqtt-2");
        using var key = certificate.GetECDsaPrivateKey()!;
        await using var connection = await ConnectAsync(_node.Root, certificate, key);
        Assert.Equal("TLSv1.3", connection.Protocol);
        using var server = connection.ServerCertificate;
        Assert.True(server.MatchesHostname("localhost"));
    }

    [Fact]
    public async Task A_node_whose_certificate_does_not_chain_to_the_pinned_root_is_refused_with_the_reason()
    {
        using var certificate = await EnrollAsync("tpm-mqtt-3");
        using var key = certificate.GetECDsaPrivateKey()!;
        using var otherRootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherRoot = new CertificateRequest("CN=Another root", otherRootKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => ConnectAsync(otherRoot, certificate, key));
        Assert.Contains("does not chain to the pinned Rampart root", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_name_the_certificate_does_not_carry_is_refused_with_the_reason()
    {
        using var certificate = await EnrollAsync("tpm-mqtt-4");
        using var key = certificate.GetECDsaPrivateKey()!;
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => OpenSslClientConnection.ConnectAsync(
            "127.0.0.1", _node.Mqtt.Port, "gateway.example", _node.Root, certificate, key, null, TimeSpan.FromSeconds(60), CancellationToken.None));
        Assert.Contains("is not for 'gateway.example'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tpm_keyed_device_renews_over_est_authenticated_by_its_tpm_key_onto_a_second_tpm_key()
    {
        // Its own node on a manual clock, moved into the certificate's renewal window (the last third of its validity).
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await GatewayNode.StartAsync(time: clock);
        using var current = await EnrollAsync("tpm-renew-1", node);
        using var currentKey = current.GetECDsaPrivateKey()!;
        clock.Advance(TimeSpan.FromDays(61));
        using var next = new TpmKeyStore(new TpmKeyStoreOptions { CertificateDirectory = _temp.Sub("device-next"), Tcti = Swtpm.Shared.Tcti, PersistentHandle = 0x81000127 });
        try
        {
            using (var nextKey = await next.CreateKeyAsync(CancellationToken.None))
            using (var renewed = await new EstClient(node.Node.Node.HttpsUri, node.Root).ReenrollAsync(current, currentKey, nextKey, CancellationToken.None))
            {
                Assert.Equal("CN=tpm-renew-1", renewed.Subject);
                Assert.False(renewed.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(current.PublicKey.ExportSubjectPublicKeyInfo()));
                await next.SaveAsync(renewed, CancellationToken.None); // refuses a certificate that does not certify the second TPM key
            }

            using var loaded = await next.LoadAsync(CancellationToken.None);
            Assert.NotNull(loaded);
            using var privateKey = loaded.GetECDsaPrivateKey()!;
            Assert.ThrowsAny<CryptographicException>(() => privateKey.ExportPkcs8PrivateKey());
        }
        finally
        {
            await next.DeleteKeyAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_tpm_that_stopped_answering_fails_the_handshake_with_a_clear_error_and_works_again_once_back()
    {
        using var certificate = await EnrollAsync("tpm-mqtt-5");
        using var key = certificate.GetECDsaPrivateKey()!;
        Swtpm.Shared.Stop();
        try
        {
            var failed = await Assert.ThrowsAsync<AuthenticationException>(() => ConnectAsync(_node.Root, certificate, key));
            Assert.Contains("the device key did not sign the handshake", failed.Message, StringComparison.Ordinal);
        }
        finally
        {
            Swtpm.Shared.Restart();
        }
    }

    private async Task<X509Certificate2> EnrollAsync(string id, GatewayNode? on = null)
    {
        Assert.True(Swtpm.Installed, "swtpm, tpm2-tools and tpm2-openssl are needed (tests/packages/keys.list)");
        var node = on ?? _node;
        var (_, bootstrap) = await node.Get<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);
        using (var key = await _store.CreateKeyAsync(CancellationToken.None))
        using (var enrolled = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollAsync(id, bootstrap.Token, key, CancellationToken.None))
        {
            await _store.SaveAsync(enrolled, CancellationToken.None);
        }

        var certificate = await _store.LoadAsync(CancellationToken.None);
        Assert.NotNull(certificate);
        return certificate;
    }

    private Task<OpenSslClientConnection> ConnectAsync(X509Certificate2 root, X509Certificate2 certificate, ECDsa key) =>
        OpenSslClientConnection.ConnectAsync("127.0.0.1", _node.Mqtt.Port, "localhost", root, certificate, key, null, TimeSpan.FromSeconds(60), CancellationToken.None);

    private DeviceConnectionOptions Options(string id, X509Certificate2 root, Func<X509Certificate2> certificate) => new()
    {
        DeviceId = id,
        Host = "127.0.0.1",
        Port = _node.Mqtt.Port,
        TrustedRoot = root,
        Certificate = certificate,
        TlsStack = DeviceTlsStack.OpenSsl,
        InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaximumReconnectDelay = TimeSpan.FromSeconds(1),
    };
}

/// <summary>The tests that share the run's one swtpm (one TCTI per process), one at a time: one of them stops and restarts it.</summary>
[CollectionDefinition(nameof(Swtpm), DisableParallelization = true)]
public sealed class SwtpmCollection;
