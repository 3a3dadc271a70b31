using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Rampart.Pki.Keys.Pkcs11;

/// <summary>EC parameters and points as PKCS#11 carries them (v2.40 §2.3.3: CKA_EC_PARAMS is a DER OID, CKA_EC_POINT a DER OCTET STRING of the X9.62 point).</summary>
internal static class NamedCurve
{
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string P384 = "1.3.132.0.34";

    public static byte[] EcParameters(ECCurve curve)
    {
        var oid = curve.Oid?.Value ?? curve.Oid?.FriendlyName switch
        {
            "nistP256" or "ECDSA_P256" => P256,
            "nistP384" or "ECDSA_P384" => P384,
            _ => null,
        };
        oid = oid switch
        {
            P256 or P384 => oid,
            _ => throw new KeyProviderException("only P-256 and P-384 keys are supported in a PKCS#11 token"),
        };
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    public static ECCurve FromEcParameters(byte[] der) => new AsnReader(der, AsnEncodingRules.DER).ReadObjectIdentifier() switch
    {
        P256 => ECCurve.NamedCurves.nistP256,
        P384 => ECCurve.NamedCurves.nistP384,
        var other => throw new KeyProviderException($"the token's key is on curve {other}; only P-256 and P-384 are supported"),
    };

    public static ECPoint PointFromEcPoint(byte[] value)
    {
        // Most modules wrap the point in an OCTET STRING as the specification says; some return it bare.
        var point = value;
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            var inner = reader.ReadOctetString();
            if (!reader.HasData && inner.Length > 0 && inner[0] == 0x04)
            {
                point = inner;
            }
        }
        catch (AsnContentException)
        {
            // Not wrapped.
        }

        if (point.Length % 2 != 1 || point[0] != 0x04)
        {
            throw new KeyProviderException("the token returned an EC point that is not an uncompressed X9.62 point");
        }

        var size = (point.Length - 1) / 2;
        return new ECPoint { X = point[1..(1 + size)], Y = point[(1 + size)..] };
    }
}
