using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Profiles;

namespace Rampart.Pki.Tests.Profiles;

public sealed class DeviceProfileTests
{
    [Fact]
    public async Task A_device_certificate_binds_the_verified_id_for_client_authentication_only()
    {
        using var ca = TestCa.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var certificate = await TestCa.IssueDeviceAsync(ca, "sensor-42", key);

        Assert.Equal("CN=sensor-42", certificate.Subject);
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["urn:rampart:device:sensor-42"], UriNames(san));
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(TimeSpan.FromDays(90) + TimeSpan.FromMinutes(5), certificate.NotAfter - certificate.NotBefore);
        Assert.Equal(ca.Issuing.Subject, certificate.Issuer);
    }

    [Fact]
    public async Task Whatever_the_request_asks_for_is_ignored()
    {
        using var ca = TestCa.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var certificate = await TestCa.IssueDeviceAsync(ca, "d1", key, request =>
        {
            // A device asking to be a CA for other names.
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            var names = new SubjectAlternativeNameBuilder();
            names.AddUri(new Uri("urn:rampart:device:someone-else"));
            names.AddDnsName("rampart.example");
            request.CertificateExtensions.Add(names.Build());
        });

        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(["urn:rampart:device:d1"], UriNames(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single()));
        Assert.Empty(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Theory]
    [InlineData("P-256", true)]
    [InlineData("P-384", true)]
    [InlineData("P-521", false)]
    [InlineData("RSA-2048", false)]
    [InlineData("RSA-3072", true)]
    public async Task Only_strong_keys_are_certified(string kind, bool allowed)
    {
        using AsymmetricAlgorithm key = kind switch
        {
            "P-256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            "P-384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            "P-521" => ECDsa.Create(ECCurve.NamedCurves.nistP521),
            "RSA-2048" => RSA.Create(2048),
            _ => RSA.Create(3072),
        };

        var refusal = await new AllowedKeyValidator().CheckAsync(new CsrContext(TestCa.Loaded(TestCa.CsrDer(key)), "d1", TestCa.Now), CancellationToken.None);

        Assert.Equal(allowed, refusal is null);
        if (!allowed)
        {
            Assert.Equal("weak-key", refusal!.Code);
        }
    }

    [Fact]
    public async Task A_key_certified_for_another_device_is_refused_as_reuse()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var seen = new List<(string Fingerprint, string Subject)>();
        var validator = new KeyNotHeldByAnotherSubjectValidator((fingerprint, subject, _) =>
        {
            seen.Add((fingerprint, subject));
            return ValueTask.FromResult<string?>("device:d1");
        });
        var context = new CsrContext(TestCa.Loaded(TestCa.CsrDer(key)), "d2", TestCa.Now);

        var refusal = await validator.CheckAsync(context, CancellationToken.None);

        Assert.Equal(CsrRefusal.KeyReuseCode, refusal?.Code);
        Assert.Equal((KeyFingerprint.Of(context.Csr.PublicKey), "d2"), Assert.Single(seen));
        Assert.DoesNotContain("device:d1", refusal!.Message, StringComparison.Ordinal); // the other holder is not disclosed
    }

    private static string[] UriNames(X509SubjectAlternativeNameExtension san)
    {
        // GeneralName uniformResourceIdentifier is [6] IA5String (RFC 5280 §4.2.1.6).
        var reader = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
        var uris = new List<string>();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
            {
                uris.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }

        return uris.ToArray();
    }
}
