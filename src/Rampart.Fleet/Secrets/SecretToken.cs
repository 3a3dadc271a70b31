using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Rampart.Fleet.Secrets;

/// <summary>
/// High-entropy bearer secrets (setup and bootstrap tokens). They are random enough that a plain
/// SHA-256 is a safe verifier to store; only that hash is kept, and a presented token is compared
/// with it in constant time.
/// </summary>
public static class SecretToken
{
    /// <summary>Random bytes in every token: 256 bits, twice the required minimum.</summary>
    public const int EntropyBytes = 32;

    /// <summary>Longest token accepted for checking; anything longer is refused before hashing.</summary>
    public const int MaxLength = 256;

    /// <summary>A new token: the prefix names its purpose (so a leaked one is recognisable), then base64url randomness.</summary>
    public static string Generate(string prefix) =>
        prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(EntropyBytes));

    /// <summary>The verifier stored in place of the token.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>True when <paramref name="presented"/> hashes to <paramref name="storedHash"/>; constant time in the hash.</summary>
    public static bool Matches(string? presented, ReadOnlySpan<byte> storedHash) =>
        presented is { Length: > 0 and <= MaxLength }
        && CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);
}
