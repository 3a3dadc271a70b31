using System.Formats.Asn1;
using System.Security.Cryptography.Pkcs;
using Rampart.Pki.Est;

namespace Rampart.Pki.Tests.Est;

public sealed class EstEncodingTests
{
    [Fact]
    public void Certs_only_replies_round_trip_through_pkcs7()
    {
        using var ca = TestCa.Create();

        var body = EstEncoding.CertsOnly(ca.Chain);
        var cms = new SignedCms();
        cms.Decode(EstEncoding.DecodeBase64Body(body)!);

        Assert.Empty(cms.SignerInfos); // certs-only: a degenerate SignedData
        Assert.Equal([ca.Issuing.Thumbprint, ca.Root.Thumbprint], cms.Certificates.Select(c => c.Thumbprint));
        Assert.DoesNotContain('\r', body);
        Assert.All(body.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.True(line.Length <= 76));
    }

    [Theory]
    [InlineData("TWFu\r\nTWFu\n", new byte[] { 77, 97, 110, 77, 97, 110 })]
    [InlineData("  TWFu  ", new byte[] { 77, 97, 110 })]
    public void Base64_bodies_may_carry_line_breaks_and_spaces(string body, byte[] expected) =>
        Assert.Equal(expected, EstEncoding.DecodeBase64Body(body));

    [Theory]
    [InlineData("not base64!")]
    [InlineData("")]
    [InlineData("TWF")]
    public void Bodies_that_are_not_base64_are_refused(string body) => Assert.Null(EstEncoding.DecodeBase64Body(body));

    [Fact]
    public void Csr_attributes_ask_for_ecdsa_p256_with_sha256()
    {
        var der = EstEncoding.DecodeBase64Body(EstEncoding.CsrAttributes())!;

        var attributes = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        Assert.Equal("1.2.840.10045.4.3.2", attributes.ReadObjectIdentifier());
        var keyType = attributes.ReadSequence();
        Assert.Equal("1.2.840.10045.2.1", keyType.ReadObjectIdentifier());
        Assert.Equal("1.2.840.10045.3.1.7", keyType.ReadSetOf().ReadObjectIdentifier());
        Assert.False(attributes.HasData);
    }
}
