using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Rampart.Pki.Est;

/// <summary>The encodings of RFC 7030: base64 bodies, PKCS#7 certs-only replies, CSR attributes.</summary>
public static class EstEncoding
{
    /// <summary>RFC 7030 §4.1.3 / §4.2.3 reply content type.</summary>
    public const string CertsOnlyContentType = "application/pkcs7-mime; smime-type=certs-only";

    /// <summary>RFC 7030 §4.1.3 cacerts reply content type.</summary>
    public const string CaCertsContentType = "application/pkcs7-mime";

    /// <summary>RFC 7030 §4.2.1 request content type.</summary>
    public const string Pkcs10ContentType = "application/pkcs10";

    /// <summary>RFC 7030 §4.5.2 reply content type.</summary>
    public const string CsrAttrsContentType = "application/csrattrs";

    /// <summary>A degenerate PKCS#7 SignedData holding only certificates (RFC 5652 §5, "certs-only"), base64 in lines.</summary>
    public static string CertsOnly(X509Certificate2Collection certificates) => Base64Lines(certificates.Export(X509ContentType.Pkcs7)!);

    /// <summary>Decodes a base64 body, ignoring the line breaks and spaces RFC 2045 allows; null when it is not base64.</summary>
    public static byte[]? DecodeBase64Body(ReadOnlySpan<char> body)
    {
        Span<char> compact = body.Length <= 128 * 1024 ? new char[body.Length] : throw new ArgumentException("body too large", nameof(body));
        var length = 0;
        foreach (var c in body)
        {
            if (!char.IsWhiteSpace(c))
            {
                compact[length++] = c;
            }
        }

        var bytes = new byte[length];
        return Convert.TryFromBase64Chars(compact[..length], bytes, out var written) && written > 0 ? bytes[..written] : null;
    }

    /// <summary>
    /// The CSR attributes reply (RFC 7030 §4.5.2): the CA wants ecdsa-with-SHA256 signatures over
    /// an id-ecPublicKey on secp256r1. Base64 of the DER CsrAttrs sequence.
    /// </summary>
    public static string CsrAttributes()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.10045.4.3.2"); // ecdsa-with-SHA256
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.10045.2.1"); // id-ecPublicKey
                using (writer.PushSetOf())
                {
                    writer.WriteObjectIdentifier("1.2.840.10045.3.1.7"); // secp256r1
                }
            }
        }

        return Base64Lines(writer.Encode());
    }

    /// <summary>
    /// Base64 in 76-character lines ended by LF: RFC 2045 §6.8 allows any line breaks to be ignored
    /// by decoders, and LF is what common tools (base64 -d, openssl base64 -d) read without help.
    /// </summary>
    private static string Base64Lines(byte[] der) =>
        Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
}
