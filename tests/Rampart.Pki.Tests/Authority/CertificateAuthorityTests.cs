using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Pki.Tests.Authority;

public sealed class CertificateAuthorityTests
{
    [Fact]
    public void A_new_ca_has_a_p384_root_for_20_years_and_a_p256_issuing_ca_for_5_years()
    {
        using var ca = TestCa.Create();

        using var rootKey = ca.Root.GetECDsaPublicKey()!;
        using var issuingKey = ca.Issuing.GetECDsaPublicKey()!;
        Assert.Equal(384, rootKey.KeySize);
        Assert.Equal(256, issuingKey.KeySize);
        Assert.InRange((ca.Root.NotAfter - ca.Root.NotBefore).TotalDays, 20 * 365 - 1, 20 * 365 + 1);
        Assert.InRange((ca.Issuing.NotAfter - ca.Issuing.NotBefore).TotalDays, 5 * 365 - 1, 5 * 365 + 1);
        var rootConstraints = ca.Root.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        var issuingConstraints = ca.Issuing.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(rootConstraints.CertificateAuthority);
        Assert.Equal(1, rootConstraints.PathLengthConstraint);
        Assert.True(issuingConstraints.CertificateAuthority);
        Assert.Equal(0, issuingConstraints.PathLengthConstraint);
        Assert.Equal(ca.Root.Subject, ca.Issuing.Issuer);
    }

    [Fact]
    public void The_issuing_ca_must_be_issued_by_the_root()
    {
        using var one = TestCa.Create();
        using var other = TestCa.Create();

        Assert.Throws<ArgumentException>(() => new CertificateAuthority(X509CertificateLoader.LoadCertificate(one.Root.RawData), other.Issuing));
    }

    [Fact]
    public void Serial_numbers_are_128_bit_positive_and_distinct()
    {
        var serials = Enumerable.Range(0, 1000).Select(_ => SerialNumbers.New()).ToArray();

        Assert.All(serials, serial => Assert.Equal(16, serial.Length));
        Assert.All(serials, serial => Assert.True(serial[0] is >= 0x40 and < 0x80));
        Assert.Equal(1000, serials.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public async Task A_crl_lists_each_revoked_serial_with_its_reason_and_verifies_against_the_issuing_ca()
    {
        using var ca = TestCa.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var device = await TestCa.IssueDeviceAsync(ca, "d1", key);

        var der = ca.BuildCrl([new RevokedSerial(device.SerialNumber, TestCa.Now, X509RevocationReason.KeyCompromise)], 7, TestCa.Now, TestCa.Now.AddDays(1));

        var crl = CertificateRevocationListBuilder.Load(der, out var number);
        Assert.Equal(7, number);
        Assert.True(crl.RemoveEntry(Convert.FromHexString(device.SerialNumber)));
        Assert.False(crl.RemoveEntry(SerialNumbers.New()));
    }
}
