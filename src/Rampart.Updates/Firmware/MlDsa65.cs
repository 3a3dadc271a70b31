using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Rampart.Updates.Firmware;

/// <summary>
/// An ML-DSA-65 key (FIPS 204, security category 3) through BouncyCastle: generated from a 32-byte
/// seed ξ (FIPS 204 Algorithm 6, ML-DSA.KeyGen_internal), which is all that needs to be kept secret,
/// and signing "pure" ML-DSA with the empty context string (§5.2), hedged (fresh randomness per
/// signature, §3.4). Stateless, unlike LMS, so losing track of use costs nothing.
/// </summary>
public sealed class MlDsa65 : IDisposable
{
    /// <summary>Length of the seed ξ.</summary>
    public const int SeedLength = 32;

    /// <summary>Length of an encoded public key (FIPS 204 Table 2).</summary>
    public const int PublicKeyLength = 1952;

    /// <summary>Length of a signature (FIPS 204 Table 2).</summary>
    public const int SignatureLength = 3309;

    private readonly byte[] _seed;
    private readonly MLDsaPrivateKeyParameters _privateKey;

    private MlDsa65(byte[] seed)
    {
        _seed = seed;
        _privateKey = MLDsaPrivateKeyParameters.FromSeed(MLDsaParameters.ml_dsa_65, seed);
        PublicKey = _privateKey.GetPublicKey().GetEncoded();
    }

    /// <summary>The encoded public key (pk, 1,952 bytes), as devices pin it.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The key from its seed ξ.</summary>
    public static MlDsa65 FromSeed(ReadOnlySpan<byte> seed) =>
        seed.Length == SeedLength ? new MlDsa65(seed.ToArray()) : throw new ArgumentException($"an ML-DSA seed is {SeedLength} bytes", nameof(seed));

    /// <summary>A new key from a random seed.</summary>
    public static MlDsa65 Create() => new(RandomNumberGenerator.GetBytes(SeedLength));

    /// <summary>The seed, for the caller to store sealed.</summary>
    public byte[] ExportSeed() => (byte[])_seed.Clone();

    /// <summary>Signs <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signer = new MLDsaSigner(MLDsaParameters.ml_dsa_65, deterministic: false);
        signer.Init(true, new ParametersWithRandom(_privateKey, new SecureRandom()));
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    /// <summary>True when <paramref name="signature"/> is an ML-DSA-65 signature of <paramref name="message"/> under <paramref name="publicKey"/>; false for anything malformed.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }

        try
        {
            var verifier = new MLDsaSigner(MLDsaParameters.ml_dsa_65, deterministic: false);
            verifier.Init(false, MLDsaPublicKeyParameters.FromEncoding(MLDsaParameters.ml_dsa_65, publicKey.ToArray()));
            verifier.BlockUpdate(message);
            return verifier.VerifySignature(signature.ToArray());
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or Org.BouncyCastle.Crypto.CryptoException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => CryptographicOperations.ZeroMemory(_seed);
}
