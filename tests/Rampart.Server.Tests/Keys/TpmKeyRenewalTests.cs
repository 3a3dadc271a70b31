using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Device.Connection;
using Rampart.Device.Connection.Tls;
using Rampart.Device.Enrollment;
using Rampart.Device.Identity.Tpm;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// Renewal inside the TPM (swtpm as a plain process, a real node on a manual clock): <see cref="CertificateRenewal"/>
/// renews a <see cref="TpmKeyStore"/> with a next key made at its second persistent handle, the device reconnects
/// with it and the old handle is evicted. The recovery tests leave the files and TPM objects a process killed at
/// each step would leave (the store's own calls up to that step, then the rest of the step's writes by hand),
/// open the store again as a restarted device would, and check the pair it loads really authenticates to the node.
/// </summary>
[Collection(nameof(Swtpm))]
public sealed class TpmKeyRenewalTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly List<TpmKeyStore> _stores = [];
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(time: _clock);

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DeleteKeyAsync(CancellationToken.None);
            store.Dispose();
        }

        await _node.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_tpm_device_renews_inside_its_window_reconnects_with_the_new_tpm_key_and_the_old_handle_is_gone()
    {
        var store = Store("renew", 0x81000130, 0x81000131);
        using var original = await EnrollAsync(store, "tpm-swap-1");
        await using (var before = await ConnectAsync("tpm-swap-1", original))
        {
            Assert.Equal(MqttReasonCode.Success, await before.PublishAsync("devices/tpm-swap-1/telemetry/temp", "20"u8.ToArray()));
        }

        var est = new EstClient(_node.Node.Node.HttpsUri, _node.Root);
        var renewal = new CertificateRenewal(est, store, _clock);
        Assert.Null(await renewal.RenewIfDueAsync(original, Connects("tpm-swap-1"), CancellationToken.None));
        Assert.Equal("0x81000130", store.Handle);

        _clock.Advance(renewal.DueAt(original) - _clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        using var renewed = await renewal.RenewIfDueAsync(original, Connects("tpm-swap-1"), CancellationToken.None);

        Assert.NotNull(renewed);
        Assert.NotEqual(original.SerialNumber, renewed.SerialNumber);
        Assert.Equal("CN=tpm-swap-1", renewed.Subject);
        Assert.Equal("0x81000131", store.Handle);
        Assert.Equal(PublicKeyAt(0x81000131), renewed.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.False(await HeldAsync(0x81000130), "the old key is evicted once the swap is recorded");
        using (var key = renewed.GetECDsaPrivateKey()!)
        {
            Assert.ThrowsAny<CryptographicException>(() => key.ExportPkcs8PrivateKey()); // still a TPM handle, not a software key
        }

        Assert.Equal("current 0x81000131\n", File.ReadAllText(Path.Combine(_temp.Sub("renew"), "tpm-keys.state")));
        await using (var after = await ConnectAsync("tpm-swap-1", renewed))
        {
            Assert.Equal(MqttReasonCode.Success, await after.PublishAsync("devices/tpm-swap-1/telemetry/temp", "21"u8.ToArray()));
        }

        // A restarted device (a new store on the same directory and TPM) loads the new pair.
        using var restarted = Reopen("renew", 0x81000130, 0x81000131);
        using var loaded = await restarted.LoadAsync(CancellationToken.None);
        Assert.Equal(renewed.SerialNumber, loaded!.SerialNumber);
        Assert.Equal("0x81000131", restarted.Handle);
    }

    [Fact]
    public async Task A_renewal_whose_new_certificate_does_not_connect_keeps_the_old_pair_and_evicts_the_next_key()
    {
        var store = Store("unproven", 0x81000138, 0x81000139);
        using var original = await EnrollAsync(store, "tpm-swap-2");
        var renewal = new CertificateRenewal(new EstClient(_node.Node.Node.HttpsUri, _node.Root), store, _clock);
        _clock.Advance(renewal.DueAt(original) - _clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        Assert.Null(await renewal.RenewIfDueAsync(original, _ => Task.FromResult(false), CancellationToken.None));

        Assert.Equal("0x81000138", store.Handle);
        Assert.False(await HeldAsync(0x81000139));
        using var loaded = await store.LoadAsync(CancellationToken.None);
        Assert.Equal(original.SerialNumber, loaded!.SerialNumber);
        await AuthenticatesAsync(loaded);
    }

    [Fact]
    public async Task A_device_killed_after_making_the_next_key_and_before_the_est_call_loads_the_old_pair_and_the_next_key_is_evicted()
    {
        var store = Store("before-est", 0x81000132, 0x81000133);
        using var original = await EnrollAsync(store, "tpm-crash-1");
        (await store.CreateNextKeyAsync(CancellationToken.None)).Dispose(); // steps 1–2 done: "pending" recorded, the key made; then the kill
        Assert.True(await HeldAsync(0x81000133));

        using var restarted = Reopen("before-est", 0x81000132, 0x81000133);
        using var loaded = await restarted.LoadAsync(CancellationToken.None);

        Assert.Equal(original.SerialNumber, loaded!.SerialNumber);
        Assert.Equal("0x81000132", restarted.Handle);
        Assert.False(await HeldAsync(0x81000133), "the half-made next key is discarded");
        Assert.True(await HeldAsync(0x81000132));
        Assert.Equal("current 0x81000132\n", File.ReadAllText(Path.Combine(_temp.Sub("before-est"), "tpm-keys.state")));
        await AuthenticatesAsync(loaded);
    }

    [Fact]
    public async Task A_device_killed_after_the_new_certificate_arrived_but_before_the_swap_was_recorded_loads_the_old_pair()
    {
        var store = Store("before-swap", 0x81000134, 0x81000135);
        using var original = await EnrollAsync(store, "tpm-crash-2");
        using var renewed = await RenewByHandAsync(store, original);

        // Step 3 done (the new certificate written beside the current one), step 4 (the commit) not.
        File.WriteAllText(Path.Combine(_temp.Sub("before-swap"), "device.next.crt"), renewed.ExportCertificatePem());

        using var restarted = Reopen("before-swap", 0x81000134, 0x81000135);
        using var loaded = await restarted.LoadAsync(CancellationToken.None);

        Assert.Equal(original.SerialNumber, loaded!.SerialNumber);
        Assert.Equal("0x81000134", restarted.Handle);
        Assert.False(await HeldAsync(0x81000135));
        Assert.False(File.Exists(Path.Combine(_temp.Sub("before-swap"), "device.next.crt")), "the unused certificate is discarded with its key");
        await AuthenticatesAsync(loaded);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_device_killed_after_the_swap_was_recorded_but_before_the_old_key_was_evicted_loads_the_new_pair_and_evicts_the_old_key(bool certificateAlreadyRenamed)
    {
        var directory = certificateAlreadyRenamed ? "after-rename" : "after-commit";
        var (current, next) = certificateAlreadyRenamed ? (0x81000136u, 0x81000137u) : (0x8100013Au, 0x8100013Bu);
        var store = Store(directory, current, next);
        using var original = await EnrollAsync(store, "tpm-crash-3-" + directory);
        using var renewed = await RenewByHandAsync(store, original);

        // Steps 3–4 done: the new certificate stored, "current = next, retired = old" recorded; then (optionally step 5) the kill.
        var target = Path.Combine(_temp.Sub(directory), certificateAlreadyRenamed ? "device.crt" : "device.next.crt");
        File.WriteAllText(target, renewed.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_temp.Sub(directory), "tpm-keys.state"), $"current {Name(next)}\nretired {Name(current)}\n");

        using var restarted = Reopen(directory, current, next);
        using var loaded = await restarted.LoadAsync(CancellationToken.None);

        Assert.Equal(renewed.SerialNumber, loaded!.SerialNumber);
        Assert.Equal(Name(next), restarted.Handle);
        Assert.Equal(PublicKeyAt(next), loaded.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.False(await HeldAsync(current), "the recorded swap is finished: the old key is evicted");
        Assert.False(File.Exists(Path.Combine(_temp.Sub(directory), "device.next.crt")));
        Assert.Equal($"current {Name(next)}\n", File.ReadAllText(Path.Combine(_temp.Sub(directory), "tpm-keys.state")));
        await AuthenticatesAsync(loaded);
    }

    [Fact]
    public async Task A_state_file_naming_a_handle_the_store_was_not_given_is_refused_rather_than_acted_on()
    {
        var directory = _temp.Sub("foreign");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tpm-keys.state"), "current 0x81000001\n");

        var refused = Assert.Throws<InvalidDataException>(() => new TpmKeyStore(Options("foreign", 0x8100013C, 0x8100013D)));
        Assert.Contains("0x81000001 is neither of the store's handles", refused.Message, StringComparison.Ordinal);
    }

    // EST renewal up to the certificate (the store's steps 1–2 and the node's answer), without the swap.
    private async Task<X509Certificate2> RenewByHandAsync(TpmKeyStore store, X509Certificate2 current)
    {
        _clock.Advance(TimeSpan.FromDays(62));
        using var currentKey = current.GetECDsaPrivateKey()!;
        using var nextKey = await store.CreateNextKeyAsync(CancellationToken.None);
        return await new EstClient(_node.Node.Node.HttpsUri, _node.Root).ReenrollAsync(current, currentKey, nextKey, CancellationToken.None);
    }

    private async Task<X509Certificate2> EnrollAsync(TpmKeyStore store, string id)
    {
        Assert.True(Swtpm.Installed, "swtpm, tpm2-tools and tpm2-openssl are needed (tests/packages/keys.list)");
        var (_, bootstrap) = await _node.Get<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);
        using (var key = await store.CreateKeyAsync(CancellationToken.None))
        using (var enrolled = await new EstClient(_node.Node.Node.HttpsUri, _node.Root).EnrollAsync(id, bootstrap.Token, key, CancellationToken.None))
        {
            await store.SaveAsync(enrolled, CancellationToken.None);
        }

        return (await store.LoadAsync(CancellationToken.None))!;
    }

    // The loaded pair is whole when the node accepts it in a mutual-TLS handshake signed by the TPM.
    private async Task AuthenticatesAsync(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        await using var connection = await OpenSslClientConnection.ConnectAsync(
            "127.0.0.1", _node.Mqtt.Port, "localhost", _node.Root, certificate, key, null, TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.Equal("TLSv1.3", connection.Protocol);
    }

    private Func<X509Certificate2, Task<bool>> Connects(string id) => async candidate =>
    {
        try
        {
            await using var probe = await ConnectAsync(id, candidate);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    };

    private async Task<DeviceMqttClient> ConnectAsync(string id, X509Certificate2 certificate)
    {
        var device = new DeviceMqttClient(new DeviceConnectionOptions
        {
            DeviceId = id,
            Host = "127.0.0.1",
            Port = _node.Mqtt.Port,
            TrustedRoot = _node.Root,
            Certificate = () => certificate,
            TlsStack = DeviceTlsStack.OpenSsl,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaximumReconnectDelay = TimeSpan.FromSeconds(1),
        });
        try
        {
            await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            return device;
        }
        catch
        {
            await device.DisposeAsync();
            throw;
        }
    }

    private TpmKeyStore Store(string directory, uint current, uint next)
    {
        var store = new TpmKeyStore(Options(directory, current, next));
        _stores.Add(store);
        return store;
    }

    private TpmKeyStore Reopen(string directory, uint current, uint next) => new(Options(directory, current, next));

    private TpmKeyStoreOptions Options(string directory, uint current, uint next) =>
        new() { CertificateDirectory = _temp.Sub(directory), Tcti = Swtpm.Shared.Tcti, PersistentHandle = current, NextPersistentHandle = next };

    // A store of its own on one handle, to look at the TPM without the store under test's recovery.
    private async Task<bool> HeldAsync(uint handle)
    {
        using var probe = new TpmKeyStore(Options("probe-" + Name(handle), handle, handle + 0x100));
        return await probe.HasKeyAsync(CancellationToken.None);
    }

    private byte[] PublicKeyAt(uint handle)
    {
        using var probe = new TpmKeyStore(Options("probe-" + Name(handle), handle, handle + 0x100));
        using var key = probe.OpenKey();
        return key.ExportSubjectPublicKeyInfo();
    }

    private static string Name(uint handle) => "0x" + handle.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}
