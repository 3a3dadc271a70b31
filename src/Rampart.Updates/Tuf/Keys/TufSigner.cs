using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// A private key that signs TUF metadata, in any key type <see cref="TufKey"/> verifies: what a
/// repository (or a test's simulated one) signs with.
/// </summary>
public abstract class TufSigner
{
    /// <summary>The public key as metadata lists it, with its key id.</summary>
    public abstract TufKey PublicKey { get; }

    /// <summary>The raw signature of <paramref name="message"/>.</summary>
    public abstract byte[] Sign(byte[] message);

    /// <summary>An ECDSA P-256 signer (<c>ecdsa-sha2-nistp256</c>); the caller keeps ownership of the key.</summary>
    public static TufSigner Ecdsa(ECDsa key) => new EcdsaSigner(key);

    /// <summary>An Ed25519 signer from a 32-byte private seed (RFC 8032).</summary>
    public static TufSigner Ed25519(byte[] seed) => new Ed25519Signer(seed);

    /// <summary>A new Ed25519 signer with a random seed.</summary>
    public static TufSigner NewEd25519() => new Ed25519Signer(RandomNumberGenerator.GetBytes(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SecretKeySize));

    /// <summary>An RSASSA-PSS-SHA256 signer (<c>rsa</c>/<c>rsassa-pss-sha256</c>); the caller keeps ownership of the key.</summary>
    public static TufSigner RsaPss(RSA key) => new RsaPssSigner(key);

    private sealed class EcdsaSigner(ECDsa key) : TufSigner
    {
        public override TufKey PublicKey { get; } = TufKey.FromEcdsa(key);

        public override byte[] Sign(byte[] message) => key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private sealed class Ed25519Signer : TufSigner
    {
        private readonly byte[] _seed;

        public Ed25519Signer(byte[] seed)
        {
            if (seed.Length != Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SecretKeySize)
            {
                throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
            }

            _seed = (byte[])seed.Clone();
            var publicKey = new byte[Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.PublicKeySize];
            Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.GeneratePublicKey(_seed, 0, publicKey, 0);
            PublicKey = TufKey.FromJson(new JsonObject
            {
                ["keytype"] = "ed25519",
                ["scheme"] = "ed25519",
                ["keyval"] = new JsonObject { ["public"] = Convert.ToHexStringLower(publicKey) },
            });
        }

        public override TufKey PublicKey { get; }

        public override byte[] Sign(byte[] message)
        {
            var signature = new byte[Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SignatureSize];
            Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Sign(_seed, 0, message, 0, message.Length, signature, 0);
            return signature;
        }
    }

    private sealed class RsaPssSigner(RSA key) : TufSigner
    {
        public override TufKey PublicKey { get; } = TufKey.FromJson(new JsonObject
        {
            ["keytype"] = "rsa",
            ["scheme"] = "rsassa-pss-sha256",
            ["keyval"] = new JsonObject { ["public"] = key.ExportSubjectPublicKeyInfoPem() + "\n" },
        });

        public override byte[] Sign(byte[] message) => key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }
}
