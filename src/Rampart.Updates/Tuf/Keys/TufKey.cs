using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Rampart.Updates.Tuf;

/// <summary>
/// A public key as TUF metadata carries it (specification §4.2, "KEY"), and its key id: the hex SHA-256
/// of the key object's canonical JSON. The client verifies the key types and schemes the specification
/// lists: <c>ed25519</c> (hex public key), <c>rsa</c>/<c>rsassa-pss-sha256</c> (PEM, at least 2048
/// bits) and <c>ecdsa</c>/<c>ecdsa-sha2-nistp256</c> (PEM; also <c>ecdsa-sha2-nistp384</c>). Rampart's
/// own repository signs with P-256.
/// </summary>
public sealed record TufKey(string KeyId, JsonObject Json)
{
    /// <summary>The signature scheme of Rampart's own keys.</summary>
    public const string Scheme = "ecdsa-sha2-nistp256";

    /// <summary>The smallest RSA modulus accepted: below 2048 bits a key is refused as too weak.</summary>
    public const int MinimumRsaBits = 2048;

    /// <summary>The metadata form of a P-256 public key.</summary>
    public static TufKey FromEcdsa(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            throw new ArgumentException("TUF keys here are P-256 (ecdsa-sha2-nistp256)", nameof(key));
        }

        return FromJson(new JsonObject
        {
            ["keytype"] = "ecdsa",
            ["scheme"] = Scheme,
            ["keyval"] = new JsonObject { ["public"] = key.ExportSubjectPublicKeyInfoPem() + "\n" },
        });
    }

    /// <summary>A key object and the id it hashes to.</summary>
    public static TufKey FromJson(JsonObject json) => new(IdOf(json), json);

    /// <summary>The key id of a key object (hex SHA-256 of its canonical JSON).</summary>
    public static string IdOf(JsonNode json) => Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(json)));

    /// <summary>
    /// True when <paramref name="signature"/> is a valid signature of <paramref name="message"/> by the key
    /// object <paramref name="json"/>. A key of a type or scheme not supported, or malformed, verifies nothing.
    /// </summary>
    public static bool Verify(JsonNode? json, byte[] message, byte[] signature)
    {
        if (json is not JsonObject key || key["keyval"] is not JsonObject keyval || Tuf.Json.Text(keyval["public"]) is not { } material)
        {
            return false;
        }

        try
        {
            return (Tuf.Json.Text(key["keytype"]), Tuf.Json.Text(key["scheme"])) switch
            {
                ("ed25519", "ed25519") => VerifyEd25519(material, message, signature),
                ("rsa", "rsassa-pss-sha256") => VerifyRsaPss(material, message, signature),
                ("ecdsa" or "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => VerifyEcdsa(material, 256, HashAlgorithmName.SHA256, message, signature),
                ("ecdsa" or "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384") => VerifyEcdsa(material, 384, HashAlgorithmName.SHA384, message, signature),
                _ => false,
            };
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException or FormatException)
        {
            // Untrusted key material that does not parse verifies nothing.
            return false;
        }
    }

    // Ed25519 (RFC 8032): the public key is 32 bytes in hex, the signature 64 bytes.
    private static bool VerifyEd25519(string hex, byte[] message, byte[] signature)
    {
        var publicKey = Convert.FromHexString(hex);
        return publicKey.Length == Ed25519.PublicKeySize && signature.Length == Ed25519.SignatureSize
            && Ed25519.Verify(signature, 0, publicKey, 0, message, 0, message.Length);
    }

    // RSASSA-PSS with SHA-256 and MGF1-SHA-256, salt as long as the hash (what securesystemslib signs with).
    private static bool VerifyRsaPss(string pem, byte[] message, byte[] signature)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa.KeySize >= MinimumRsaBits && rsa.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }

    // ECDSA signatures are DER (the form securesystemslib and Rampart write).
    private static bool VerifyEcdsa(string pem, int bits, HashAlgorithmName hash, byte[] message, byte[] signature)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        return ecdsa.KeySize == bits && ecdsa.VerifyData(message, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
