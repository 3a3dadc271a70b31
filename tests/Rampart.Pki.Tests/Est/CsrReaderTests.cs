using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Est;

namespace Rampart.Pki.Tests.Est;

public sealed class CsrReaderTests
{
    [Fact]
    public void A_well_formed_request_with_a_valid_signature_is_read()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (request, refusal) = CsrReader.Read(TestCa.CsrDer(key));

        Assert.Null(refusal);
        Assert.NotNull(request);
    }

    [Fact]
    public void A_request_whose_signature_does_not_verify_is_refused_as_no_proof_of_possession()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = TestCa.CsrDer(key);
        der[^5] ^= 0x55; // inside the signature value

        var (request, refusal) = CsrReader.Read(der);

        Assert.Null(request);
        Assert.Contains("proof of possession", refusal!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_signed_by_another_key_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = TestCa.Csr(key);
        var forged = request.CreateSigningRequest(X509SignatureGenerator.CreateForECDsa(other));

        var (loaded, refusal) = CsrReader.Read(forged);

        Assert.Null(loaded);
        Assert.Equal("malformed-csr", refusal!.Code);
    }

    [Theory]
    [InlineData(new byte[0], "1 to")]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, "not a DER PKCS#10")]
    [InlineData(new byte[] { 0xFF, 0xFF }, "not a DER PKCS#10")]
    public void Malformed_bytes_are_refused_with_a_reason(byte[] der, string expected)
    {
        var (_, refusal) = CsrReader.Read(der);

        Assert.Contains(expected, refusal!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_after_the_request_are_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (_, refusal) = CsrReader.Read([.. TestCa.CsrDer(key), 0x00]);

        Assert.Contains("trailing data", refusal!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_request_is_refused_before_parsing() =>
        Assert.NotNull(CsrReader.Read(new byte[CsrReader.MaxDerBytes + 1]).Refusal);
}
