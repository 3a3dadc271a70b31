using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Pki.Trust;
using Rampart.Server.Gateway;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// A real node whose CA and audit keys live in a PKCS#11 token (SoftHSM2): initialised with
/// <c>rampart ca init --pkcs11-module …</c>'s code, started as <c>rampart serve</c> starts, enrolling a
/// device over EST and taking its mTLS connection; and refusing to start on a wrong PIN or a missing token.
/// </summary>
public sealed class HsmNodeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_node_initialised_in_a_token_enrolls_over_est_and_serves_mtls_with_the_token_held_ca_key()
    {
        var token = SoftHsm.Shared.Take();
        var data = _temp.Sub("data");
        var rootFingerprint = CaInitializer.Initialize(data, Pkcs11(token), TimeProvider.System);

        await using var node = await TestNode.StartAsync(data, new Dictionary<string, string?>(Gateway.GatewayNode.IngestService));
        var services = node.Node.Services;
        var authority = services.GetRequiredService<CertificateAuthority>();
        var (_, bootstrap) = await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice("hsm-dev-1"), "test", CancellationToken.None);
        var root = X509CertificateLoader.LoadCertificate(authority.Root.RawData);
        using var enrolled = await new EstClient(node.Node.HttpsUri, root).EnrollAsync("hsm-dev-1", bootstrap.Token, CancellationToken.None);

        // No private CA or audit key on disk; the settings name the token and the PIN file, not the PIN.
        Assert.Equal(rootFingerprint, NodeKeyring.Fingerprint(authority.Root));
        Assert.False(File.Exists(Path.Combine(data, "keys", "ca-issuing.key.pem")));
        Assert.False(File.Exists(Path.Combine(data, "keys", "ca-root.key.pem")));
        Assert.False(File.Exists(Path.Combine(data, "keys", "audit-signing.key.pem")));
        var settings = File.ReadAllText(Path.Combine(data, KeyStorageSettings.FileName));
        Assert.Contains(token.Label, settings, StringComparison.Ordinal);
        Assert.DoesNotContain(SoftHsm.Pin, settings, StringComparison.Ordinal);
        Assert.DoesNotContain(SoftHsm.Pin, node.Console.ToString(), StringComparison.Ordinal);
        Assert.False(authority.Issuing.HasPrivateKey);
        Assert.True(FixedRootChain.Verify(enrolled, authority.Root, [authority.Issuing]));
        Assert.Equal("CN=hsm-dev-1", enrolled.Subject);

        // The device's mutual-TLS session on the MQTT listener, its chain ending in the token-signed issuing CA.
        await using var device = await KeyTestDevices.ConnectAndPublishAsync(node, "hsm-dev-1", root, enrolled);
        await Eventually.HoldsAsync(() => Task.FromResult(services.GetRequiredService<MqttGateway>().Broker.IsConnected("hsm-dev-1")), "the device is connected");

        // Audit checkpoints are signed by the token's audit key: its public half is the one published beside the database.
        using var published = NodeKeyring.LoadAuditPublicKey(Path.Combine(data, "audit-signing.pub.pem"));
        Assert.Equal(AuditSigningKey.KeyIdOf(published), services.GetRequiredService<AuditSigningKey>().KeyId);

        // The inventory, read beside the running node, says where each key is.
        var inventory = Rampart.Server.Keys.Inventory.CryptoInventory.Read(data).ToDictionary(item => item.Class);
        Assert.Equal(("pkcs11", "pkcs11", "pkcs11"), (inventory["ca-root"].Location, inventory["ca-issuing"].Location, inventory["audit-signing"].Location));
        Assert.Contains($"token '{token.Label}'", inventory["ca-issuing"].Where, StringComparison.Ordinal);
        Assert.Equal(("file", "ECDSA P-256"), (inventory["tls-server"].Location, inventory["tls-server"].Algorithm));
        Assert.Equal(new DateTimeOffset(authority.Issuing.NotAfter.ToUniversalTime()), inventory["ca-issuing"].Expires);
    }

    [Fact]
    public async Task A_wrong_pin_stops_the_node_at_start_with_a_message_that_names_the_token_and_not_the_pin()
    {
        var token = SoftHsm.Shared.Take();
        var data = _temp.Sub("data");
        var pinFile = _temp.Sub("pin");
        File.Copy(token.PinFile, pinFile);
        CaInitializer.Initialize(data, Pkcs11(token with { PinFile = pinFile }), TimeProvider.System);
        File.WriteAllText(pinFile, "wrong-pin-0000\n");

        var refused = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(data));

        Assert.Contains($"the PIN for PKCS#11 token '{token.Label}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is wrong", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pin-0000", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_token_stops_the_node_at_start_with_the_tokens_present()
    {
        var token = SoftHsm.Shared.Take();
        var data = _temp.Sub("data");
        CaInitializer.Initialize(data, Pkcs11(token), TimeProvider.System);
        var path = Path.Combine(data, KeyStorageSettings.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace($"\"{token.Label}\"", "\"unplugged-token\"", StringComparison.Ordinal));

        var refused = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(data));

        Assert.True(refused.Message.Contains("no PKCS#11 token labelled 'unplugged-token' is present", StringComparison.Ordinal), refused.Message);
        Assert.Contains($"(present: ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_refuses_a_token_that_holds_another_node_s_keys_and_a_directory_that_has_a_ca()
    {
        var token = SoftHsm.Shared.Take();
        CaInitializer.Initialize(_temp.Sub("first"), Pkcs11(token), TimeProvider.System);

        var sameToken = Assert.Throws<NodeStartupException>(() => CaInitializer.Initialize(_temp.Sub("second"), Pkcs11(token), TimeProvider.System));
        var sameDirectory = Assert.Throws<NodeStartupException>(() => CaInitializer.Initialize(_temp.Sub("first"), KeyStorageSettings.Files, TimeProvider.System));

        Assert.Contains("holds a key 'rampart-ca-root' already", sameToken.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Sub("second"), "ca-issuing.crt.pem")));
        Assert.Contains("initialised already", sameDirectory.Message, StringComparison.Ordinal);
    }

    private static KeyStorageSettings Pkcs11(SoftHsmToken token) => new(new Pkcs11Settings(token.Module, token.Label, token.PinFile));
}
