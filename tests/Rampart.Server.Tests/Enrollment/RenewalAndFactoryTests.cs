using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Vendors;

namespace Rampart.Server.Tests.Enrollment;

public sealed class RenewalAndFactoryTests : IAsyncLifetime
{
    private FleetHarness _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetHarness.CreateAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task Renewal_is_refused_before_the_window_with_the_window_in_the_message_and_works_inside_it()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var current = await EnrolledAsync("d1", key);
        var renewal = new EstCredentials(null, null, current, "192.0.2.1");

        var early = await _fleet.EnrollAsync(renewal, key, EstOperation.Reenroll);
        _fleet.Clock.Advance(TimeSpan.FromDays(61));
        var inWindow = await _fleet.EnrollAsync(renewal, key, EstOperation.Reenroll);

        Assert.Equal("outside-renewal-window", early.Refusal?.Code);
        Assert.Contains(current.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), early.Refusal!.Message, StringComparison.Ordinal);
        Assert.Null(inWindow.Refusal);
        Assert.Equal("CN=d1", inWindow.Certificate!.Subject);
        Assert.True(inWindow.Certificate.NotAfter > current.NotAfter);
    }

    [Fact]
    public async Task Rekey_with_a_new_key_inside_the_window_is_allowed()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var current = await EnrolledAsync("d1", key);
        _fleet.Clock.Advance(TimeSpan.FromDays(61));
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var result = await _fleet.EnrollAsync(new EstCredentials(null, null, current, "192.0.2.1"), newKey, EstOperation.Reenroll);

        Assert.Null(result.Refusal);
        using var publicKey = result.Certificate!.GetECDsaPublicKey()!;
        Assert.Equal(384, publicKey.KeySize);
    }

    [Fact]
    public async Task An_expired_certificate_cannot_renew()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var current = await EnrolledAsync("d1", key);
        _fleet.Clock.Advance(TimeSpan.FromDays(91));

        var result = await _fleet.EnrollAsync(new EstCredentials(null, null, current, "192.0.2.1"), key, EstOperation.Reenroll);

        Assert.Equal("expired", result.Refusal?.Code);
        Assert.Contains("re-enroll with a new bootstrap token", result.Refusal!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_certificate_cannot_renew()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var current = await EnrolledAsync("d1", key);
        await _fleet.Get<Fleet.Certificates.RevocationService>().RevokeSerialAsync(current.SerialNumber, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);
        _fleet.Clock.Advance(TimeSpan.FromDays(61));

        var result = await _fleet.EnrollAsync(new EstCredentials(null, null, current, "192.0.2.1"), key, EstOperation.Reenroll);

        Assert.Equal("revoked", result.Refusal?.Code);
    }

    [Fact]
    public async Task Renewal_needs_a_certificate_from_this_ca()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = new CertificateRequest("CN=d1", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await _fleet.AddDeviceAsync("d1");

        var missing = await _fleet.EnrollAsync(new EstCredentials(null, null, null, "192.0.2.1"), key, EstOperation.Reenroll);
        var wrongCa = await _fleet.EnrollAsync(new EstCredentials(null, null, foreign, "192.0.2.1"), key, EstOperation.Reenroll);

        Assert.Equal("no-certificate", missing.Refusal?.Code);
        Assert.Equal("foreign-certificate", wrongCa.Refusal?.Code);
    }

    [Fact]
    public async Task A_factory_certificate_from_a_trusted_vendor_enrolls_its_registered_device()
    {
        using var vendorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var vendorCa = VendorCa(vendorKey);
        await _fleet.Get<VendorTrustService>().AddAsync("acme", vendorCa.ExportCertificatePem(), "test", CancellationToken.None);
        await _fleet.AddDeviceAsync("d9", vendor: "acme");
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var idevid = FactoryCertificate(vendorCa, vendorKey, deviceKey, "d9");

        var result = await _fleet.EnrollAsync(new EstCredentials(null, null, idevid, "192.0.2.1"), deviceKey);

        Assert.Null(result.Refusal);
        Assert.Equal("CN=d9", result.Certificate!.Subject);
        Assert.Contains("factory-certificate", (await _fleet.AuditAsync()).Single(e => e.Action == "certificate.issued").Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unregistered", "acme", true, "unknown-device")]
    [InlineData("d9", "other-vendor", true, "vendor-mismatch")]
    [InlineData("d9", "acme", false, "unknown-factory-ca")]
    public async Task A_factory_certificate_is_refused_for_an_unknown_device_another_vendor_or_an_untrusted_ca(
        string certifiedId, string registeredVendor, bool trustVendor, string code)
    {
        using var vendorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var vendorCa = VendorCa(vendorKey);
        if (trustVendor)
        {
            await _fleet.Get<VendorTrustService>().AddAsync("acme", vendorCa.ExportCertificatePem(), "test", CancellationToken.None);
        }

        await _fleet.AddDeviceAsync("d9", vendor: registeredVendor);
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var idevid = FactoryCertificate(vendorCa, vendorKey, deviceKey, certifiedId);

        var result = await _fleet.EnrollAsync(new EstCredentials(null, null, idevid, "192.0.2.1"), deviceKey);

        Assert.Equal(code, result.Refusal?.Code);
    }

    [Fact]
    public async Task A_vendor_trust_must_be_a_ca_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = new CertificateRequest("CN=not a ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        var error = await Assert.ThrowsAsync<Fleet.Errors.FleetException>(() =>
            _fleet.Get<VendorTrustService>().AddAsync("acme", leaf.ExportCertificatePem(), "test", CancellationToken.None));

        Assert.Contains("not a CA certificate", error.Message, StringComparison.Ordinal);
    }

    private async Task<X509Certificate2> EnrolledAsync(string id, ECDsa key)
    {
        var token = await _fleet.AddDeviceAsync(id);
        var result = await _fleet.EnrollAsync(FleetHarness.Basic(id, token), key);
        Assert.Null(result.Refusal);
        Assert.Equal(DeviceState.Active, (await _fleet.Get<IDeviceStore>().GetAsync(id, CancellationToken.None))!.State);
        return result.Certificate!;
    }

    internal static X509Certificate2 VendorCa(ECDsa key)
    {
        var request = new CertificateRequest("CN=Acme Factory CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
    }

    internal static X509Certificate2 FactoryCertificate(X509Certificate2 vendorCa, ECDsa vendorKey, ECDsa deviceKey, string serialNumber)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("Acme Sensor");
        subject.Add("2.5.4.5", serialNumber, UniversalTagNumber.PrintableString);
        var request = new CertificateRequest(subject.Build(), deviceKey, HashAlgorithmName.SHA256);
        // CreateSelfSigned left the vendor CA holding its key already. The device certificate ends a day
        // before the CA: "now + 10 years" taken a second later than the CA's would outlive it and be refused.
        var issued = request.Create(vendorCa, DateTimeOffset.UtcNow.AddDays(-1), vendorCa.NotAfter.ToUniversalTime().AddDays(-1), [1, 2, 3, 4]);
        return issued.CopyWithPrivateKey(deviceKey);
    }
}
