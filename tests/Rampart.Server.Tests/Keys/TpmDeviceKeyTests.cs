using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Device.Identity.Tpm;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;
using Rampart.Pki.Trust;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// A device whose key lives in a TPM 2.0 (swtpm as a plain process on loopback): the key is made
/// inside the TPM, signs the EST CSR to a real node, and cannot be exported — not through .NET, not as PKCS#12, and the TPM marks it fixedTPM/fixedParent.
/// </summary>
[Collection(nameof(Swtpm))]
public sealed class TpmDeviceKeyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_device_whose_key_is_made_in_the_tpm_enrolls_over_est_with_a_tpm_signed_csr_and_cannot_export_the_key()
    {
        Assert.True(Swtpm.Installed, "swtpm, tpm2-tools and tpm2-openssl are needed (tests/packages/keys.list)");
        using var store = new TpmKeyStore(new TpmKeyStoreOptions { CertificateDirectory = _temp.Sub("device"), Tcti = Swtpm.Shared.Tcti, PersistentHandle = 0x81000123 });
        await store.DeleteKeyAsync(CancellationToken.None);
        Assert.Null(await store.LoadAsync(CancellationToken.None));

        await using var node = await TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>());
        var services = node.Node.Services;
        var authority = services.GetRequiredService<CertificateAuthority>();
        var root = X509CertificateLoader.LoadCertificate(authority.Root.RawData);
        var (_, bootstrap) = await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice("tpm-dev-1"), "test", CancellationToken.None);

        using (var key = await store.CreateKeyAsync(CancellationToken.None))
        using (var enrolled = await new EstClient(node.Node.HttpsUri, root).EnrollAsync("tpm-dev-1", bootstrap.Token, key, CancellationToken.None))
        {
            await store.SaveAsync(enrolled, CancellationToken.None);
        }

        using var certificate = await LoadedIdentityAsync(store, "CN=tpm-dev-1", authority);
        Assert.False(File.Exists(Path.Combine(_temp.Sub("device"), "device.key")));

        // MQTT over mutual TLS with this key: TpmMutualTlsTests (the SDK's libssl client; SslStream cannot use a provider key on OpenSSL 3.0).

        // The private key cannot leave: .NET has only a TPM handle, PKCS#12 export fails, and the TPM itself forbids duplication.
        using (var privateKey = certificate.GetECDsaPrivateKey()!)
        {
            Assert.ThrowsAny<CryptographicException>(() => privateKey.ExportParameters(includePrivateParameters: true));
            Assert.ThrowsAny<CryptographicException>(() => privateKey.ExportPkcs8PrivateKey());
            Assert.ThrowsAny<CryptographicException>(() => privateKey.ExportECPrivateKey());
        }

        Assert.ThrowsAny<CryptographicException>(() => certificate.Export(X509ContentType.Pkcs12));
        var attributes = (await store.KeyAttributesAsync(CancellationToken.None)).Split('|');
        Assert.Contains("fixedtpm", attributes);
        Assert.Contains("fixedparent", attributes);
        Assert.Contains("sensitivedataorigin", attributes);
        Assert.DoesNotContain("encryptedduplication", attributes);

        // The TPM's key gone (a replaced TPM, a cleared owner hierarchy): the store has no identity, and the device enrolls again.
        await store.DeleteKeyAsync(CancellationToken.None);
        Assert.False(await store.HasKeyAsync(CancellationToken.None));
        Assert.Null(await store.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_device_whose_tpm_key_is_gone_enrolls_again_through_its_factory_certificate_with_a_new_tpm_key()
    {
        Assert.True(Swtpm.Installed, "swtpm, tpm2-tools and tpm2-openssl are needed (tests/packages/keys.list)");
        using var store = new TpmKeyStore(new TpmKeyStoreOptions { CertificateDirectory = _temp.Sub("factory-device"), Tcti = Swtpm.Shared.Tcti, PersistentHandle = 0x81000125 });
        await store.DeleteKeyAsync(CancellationToken.None);
        await using var node = await TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>());
        var services = node.Node.Services;
        var authority = services.GetRequiredService<CertificateAuthority>();
        var root = X509CertificateLoader.LoadCertificate(authority.Root.RawData);

        // The manufacturer's IDevID (its key in the device's secure element, here software) is what survives a TPM replacement.
        using var vendorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var vendorCa = Enrollment.RenewalAndFactoryTests.VendorCa(vendorKey);
        await services.GetRequiredService<Rampart.Fleet.Vendors.VendorTrustService>().AddAsync("acme", vendorCa.ExportCertificatePem(), "test", CancellationToken.None);
        await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice("tpm-factory-1", Vendor: "acme"), "test", CancellationToken.None);
        using var factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = Enrollment.RenewalAndFactoryTests.FactoryCertificate(vendorCa, vendorKey, factoryKey, "tpm-factory-1");
        using var idevid = X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null);
        var est = new EstClient(node.Node.HttpsUri, root);

        byte[] firstKey;
        using (var key = await store.CreateKeyAsync(CancellationToken.None))
        using (var enrolled = await est.EnrollWithFactoryCertificateAsync(idevid, key, CancellationToken.None))
        {
            await store.SaveAsync(enrolled, CancellationToken.None);
            firstKey = enrolled.PublicKey.ExportSubjectPublicKeyInfo();
        }

        // The TPM key is gone (TPM replaced, owner hierarchy cleared): no identity, so the device takes the factory path again.
        await store.DeleteKeyAsync(CancellationToken.None);
        Assert.Null(await store.LoadAsync(CancellationToken.None));
        using (var key = await store.CreateKeyAsync(CancellationToken.None))
        using (var again = await est.EnrollWithFactoryCertificateAsync(idevid, key, CancellationToken.None))
        {
            await store.SaveAsync(again, CancellationToken.None);
        }

        using var certificate = await LoadedIdentityAsync(store, "CN=tpm-factory-1", authority);
        Assert.False(certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(firstKey));
        using var privateKey = certificate.GetECDsaPrivateKey()!;
        Assert.ThrowsAny<CryptographicException>(() => privateKey.ExportPkcs8PrivateKey());
        await store.DeleteKeyAsync(CancellationToken.None);
    }

    // The store's identity: the saved certificate with the TPM-held key, chaining to the node's CA.
    private static async Task<X509Certificate2> LoadedIdentityAsync(TpmKeyStore store, string subject, CertificateAuthority authority)
    {
        var certificate = await store.LoadAsync(CancellationToken.None);
        Assert.NotNull(certificate);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(subject, certificate.Subject);
        Assert.True(FixedRootChain.Verify(certificate, authority.Root, [authority.Issuing]));
        return certificate;
    }

    [Fact]
    public async Task The_tpm_key_store_refuses_a_certificate_for_a_key_that_is_not_the_tpms()
    {
        Assert.True(Swtpm.Installed, "swtpm, tpm2-tools and tpm2-openssl are needed (tests/packages/keys.list)");
        using var store = new TpmKeyStore(new TpmKeyStoreOptions { CertificateDirectory = _temp.Sub("other"), Tcti = Swtpm.Shared.Tcti, PersistentHandle = 0x81000124 });
        using (await store.CreateKeyAsync(CancellationToken.None))
        {
        }

        using var softwareKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = new CertificateRequest("CN=foreign", softwareKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(foreign, CancellationToken.None));
        Assert.Contains("does not certify the TPM key at 0x81000124", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(store.CertificatePath));
        await store.DeleteKeyAsync(CancellationToken.None);
    }
}
