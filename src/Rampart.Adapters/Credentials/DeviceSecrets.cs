using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Rampart.Fleet.Operators.Passwords;
using Rampart.Fleet.Secrets;

namespace Rampart.Adapters.Credentials;

/// <summary>
/// Makes device secrets: 32 bytes from the OS CSPRNG (256 bits), written as 43 base64url characters.
/// The text is the secret everywhere — the DTLS PSK is its ASCII bytes (RFC 4279 §5.4 allows any octet
/// string; text keeps it usable by clients that take a key as text, such as libcoap's <c>-k</c>) — so its
/// entropy is the full 256 bits. Each is checked against the bundled default-credential list and
/// against every verifier on record, so none is a default and none is shared.
/// </summary>
public static class DeviceSecrets
{
    /// <summary>Characters of a secret.</summary>
    public const int Length = 43;

    /// <summary>A new secret that is neither a known default nor <paramref name="inUse"/>.</summary>
    public static async Task<(string Secret, byte[] Verifier)> NewAsync(Func<byte[], Task<bool>> inUse)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretToken.EntropyBytes));
            var verifier = Verifier(secret);
            if (!PasswordPolicy.IsKnown(secret) && !await inUse(verifier))
            {
                return (secret, verifier);
            }
        }

        // 2^-256 per attempt: only a broken random source gets here.
        throw new CryptographicException("the random source produced known or repeated secrets");
    }

    /// <summary>SHA-256 of the secret's text: the stored verifier (the secret is random, so a plain hash is safe).</summary>
    public static byte[] Verifier(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>A new key id: names the credential in audit entries and events instead of the secret.</summary>
    public static string NewKeyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
