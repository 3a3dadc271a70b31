using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Pki.Authority;

namespace Rampart.Server.Tests.Enrollment;

/// <summary>EST renewal asks the same live-certificate question the MQTT gateway asks (recorded bytes, not only the serial; the profile's SAN).</summary>
public sealed class LiveCertificateRenewalTests : IAsyncLifetime
{
    private FleetHarness _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetHarness.CreateAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task A_certificate_with_a_recorded_serial_but_other_bytes_cannot_renew()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var enrolled = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), key);
        using var current = enrolled.Certificate!;
        _fleet.Clock.Advance(TimeSpan.FromDays(61));

        // Same issuer, same serial, same subject — another key and no SAN: not the certificate this CA recorded.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Signed with the issuing CA's own key (read from the data directory: the authority keeps its key apart from the certificate).
        var authority = _fleet.Get<CertificateAuthority>();
        using var issuingKey = ECDsa.Create();
        issuingKey.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(_fleet.DataDirectory, "keys", "ca-issuing.key.pem")));
        using var lookalike = new CertificateRequest("CN=d1", otherKey, HashAlgorithmName.SHA256)
            .Create(authority.Issuing.SubjectName, X509SignatureGenerator.CreateForECDsa(issuingKey), current.NotBefore, current.NotAfter, Convert.FromHexString(current.SerialNumber));

        var result = await _fleet.EnrollAsync(new EstCredentials(null, null, lookalike, "192.0.2.1"), otherKey, EstOperation.Reenroll);

        Assert.Equal("unknown-certificate", result.Refusal?.Code);
        Assert.Null(result.Certificate);
    }
}
