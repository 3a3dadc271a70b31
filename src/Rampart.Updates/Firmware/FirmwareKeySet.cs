using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Firmware;

/// <summary>
/// The public keys that sign firmware, as devices pin them: ECDSA P-256 (SubjectPublicKeyInfo), LMS (the
/// HSS public key) and optionally ML-DSA-65. <see cref="Id"/> names the ECDSA and LMS keys only — every
/// device pins those two, while ML-DSA-65 is pinned by the devices that check it — so a device that
/// pins a subset still recognises a rotation away from its keys.
/// </summary>
public sealed record FirmwareKeySet(byte[] EcdsaP256, byte[] Lms, byte[]? MlDsa65)
{
    // Bounds of what a key set may hold (a P-256 SPKI is 91 bytes, an HSS public key 60, ML-DSA-65 1,952).
    private const int MaxEcdsaLength = 256;
    private const int MaxLmsLength = 128;
    private const int MlDsa65Length = 1952;

    /// <summary>The key set of a signer's keys.</summary>
    public static FirmwareKeySet Of(ECDsa ecdsa, byte[] lms, byte[]? mlDsa65) => new(ecdsa.ExportSubjectPublicKeyInfo(), lms, mlDsa65);

    /// <summary>Hex SHA-256 of the canonical JSON of the ECDSA and LMS keys.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Encode(new JsonObject
    {
        ["ecdsaP256"] = Convert.ToHexStringLower(EcdsaP256),
        ["lms"] = Convert.ToHexStringLower(Lms),
    })));

    /// <summary>The ECDSA public key (the caller disposes it).</summary>
    public ECDsa OpenEcdsa()
    {
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(EcdsaP256, out _);
        return key;
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["ecdsaP256"] = Convert.ToHexStringLower(EcdsaP256),
            ["lms"] = Convert.ToHexStringLower(Lms),
        };
        if (MlDsa65 is not null)
        {
            json["mlDsa65"] = Convert.ToHexStringLower(MlDsa65);
        }

        return json;
    }

    /// <summary>Reads a key set; null when a key is missing, not hex, of an impossible length, or the ECDSA key is not P-256.</summary>
    public static FirmwareKeySet? FromJson(JsonNode? node)
    {
        if (node is not JsonObject json
            || !FirmwareSignatures.Hex(json["ecdsaP256"], out var ecdsa) || ecdsa.Length is 0 or > MaxEcdsaLength
            || !FirmwareSignatures.Hex(json["lms"], out var lms) || lms.Length is 0 or > MaxLmsLength)
        {
            return null;
        }

        byte[]? mlDsa = null;
        if (json["mlDsa65"] is not null && (!FirmwareSignatures.Hex(json["mlDsa65"], out mlDsa) || mlDsa.Length != MlDsa65Length))
        {
            return null;
        }

        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(ecdsa, out var read);
            if (read != ecdsa.Length || key.KeySize != 256)
            {
                return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }

        return new FirmwareKeySet(ecdsa, lms, mlDsa);
    }

    public bool Equals(FirmwareKeySet? other) =>
        other is not null && EcdsaP256.AsSpan().SequenceEqual(other.EcdsaP256) && Lms.AsSpan().SequenceEqual(other.Lms)
        && (MlDsa65 ?? []).AsSpan().SequenceEqual(other.MlDsa65 ?? []);

    public override int GetHashCode() => Id.GetHashCode(StringComparison.Ordinal);
}
