using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Profiles;

namespace Rampart.Pki.Est;

/// <summary>Loads a PKCS#10 request and proves possession of its key by verifying its signature (RFC 2986 §4.2).</summary>
public static class CsrReader
{
    /// <summary>Largest DER request accepted; a real CSR is well under 2 KiB even with RSA-4096.</summary>
    public const int MaxDerBytes = 16 * 1024;

    /// <summary>The request, or why it is refused.</summary>
    public static (CertificateRequest? Request, CsrRefusal? Refusal) Read(ReadOnlySpan<byte> der)
    {
        if (der.Length == 0 || der.Length > MaxDerBytes)
        {
            return (null, CsrRefusal.Malformed($"a certificate request must be 1 to {MaxDerBytes} bytes of DER"));
        }

        // One parse with the signature check for the usual, valid request; only a refused one is
        // parsed again without it, to tell a malformed request from one whose signature fails.
        try
        {
            var request = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, out var consumed, CertificateRequestLoadOptions.Default);
            return consumed == der.Length
                ? (request, null)
                : (null, CsrRefusal.Malformed("the certificate request has trailing data after its DER encoding"));
        }
        catch (CryptographicException)
        {
            // Refused: which refusal is decided below.
        }

        try
        {
            CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, out var consumed, CertificateRequestLoadOptions.SkipSignatureValidation);
            return consumed != der.Length
                ? (null, CsrRefusal.Malformed("the certificate request has trailing data after its DER encoding"))
                : (null, CsrRefusal.Malformed("the certificate request's signature does not verify: no proof of possession of its key"));
        }
        catch (CryptographicException)
        {
            return (null, CsrRefusal.Malformed("the body is not a DER PKCS#10 certificate request"));
        }
    }
}
