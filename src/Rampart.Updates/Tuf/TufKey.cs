using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// An <c>ecdsa-sha2-nistp256</c> public key as TUF metadata carries it (keytype <c>ecdsa</c>, the key as
/// SubjectPublicKeyInfo PEM), and its key id: the hex SHA-256 of the key object's canonical JSON.
/// </summary>
public sealed record TufKey(string KeyId, JsonObject Json)
{
    /// <summary>The signature scheme.</summary>
    public const string Scheme = "ecdsa-sha2-nistp256";

    /// <summary>The metadata form of a P-256 public key.</summary>
    public static TufKey FromEcdsa(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            throw new ArgumentException("TUF keys here are P-256 (ecdsa-sha2-nistp256)", nameof(key));
        }

        var json = new JsonObject
        {
            ["keytype"] = "ecdsa",
            ["scheme"] = Scheme,
            ["keyval"] = new JsonObject { ["public"] = key.ExportSubjectPublicKeyInfoPem() + "\n" },
        };
        return new TufKey(Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(json))), json);
    }

    /// <summary>Reads a key object from metadata; null when it is not an ECDSA P-256 key in a form this verifier accepts.</summary>
    public static ECDsa? PublicKeyOf(JsonNode? json)
    {
        if (json is not JsonObject key
            || Tuf.Json.Text(key["keytype"]) is not ("ecdsa" or "ecdsa-sha2-nistp256")
            || Tuf.Json.Text(key["scheme"]) != Scheme
            || key["keyval"] is not JsonObject keyval
            || Tuf.Json.Text(keyval["public"]) is not { } pem)
        {
            return null;
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            if (ecdsa.KeySize == 256)
            {
                return ecdsa;
            }
        }
        catch (ArgumentException)
        {
        }
        catch (CryptographicException)
        {
        }

        ecdsa.Dispose();
        return null;
    }
}
