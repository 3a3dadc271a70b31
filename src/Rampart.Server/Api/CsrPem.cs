using System.Security.Cryptography;

namespace Rampart.Server.Api;

/// <summary>A certificate request as PEM (RFC 7468 §7: "CERTIFICATE REQUEST", or the older "NEW CERTIFICATE REQUEST").</summary>
internal static class CsrPem
{
    public static byte[]? ToDer(string? pem)
    {
        if (pem is null || pem.Length > 64 * 1024 || !PemEncoding.TryFind(pem, out var fields))
        {
            return null;
        }

        var label = pem[fields.Label];
        if (label is not ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"))
        {
            return null;
        }

        var der = new byte[fields.DecodedDataLength];
        return Convert.TryFromBase64Chars(pem[fields.Base64Data], der, out var written) ? der[..written] : null;
    }
}
