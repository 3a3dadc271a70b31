using System.Security.Cryptography;
using System.Text;

namespace Rampart.Fleet.Operators.Passwords;

/// <summary>
/// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a 16-byte random salt and at least 600,000 iterations
/// (OWASP 2023); no Argon2 implementation is available here. The iteration count is stored with
/// the hash, so it can be raised later without invalidating existing passwords.
/// </summary>
public sealed record PasswordHash(int Iterations, byte[] Salt, byte[] Hash)
{
    /// <summary>Iterations for new hashes.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Hashes a new password.</summary>
    public static PasswordHash Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return new PasswordHash(iterations, salt, Derive(password, salt, iterations));
    }

    /// <summary>Checks a presented password in constant time.</summary>
    public bool Verify(string? presented) =>
        presented is { Length: > 0 and <= PasswordPolicy.MaximumLength }
        && CryptographicOperations.FixedTimeEquals(Derive(presented, Salt, Iterations), Hash);

    /// <summary>Storage form: <c>pbkdf2-sha256$iterations$salt$hash</c> (base64).</summary>
    public string Encode() => $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(Salt)}${Convert.ToBase64String(Hash)}";

    /// <summary>Reads the storage form.</summary>
    public static PasswordHash Decode(string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256")
        {
            throw new FormatException("not a pbkdf2-sha256 password hash");
        }

        return new PasswordHash(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]));
    }

    /// <summary>A hash of nothing, to spend the same time on unknown users as on known ones.</summary>
    public static PasswordHash Decoy { get; } = Create("decoy-" + Guid.NewGuid());

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
}
