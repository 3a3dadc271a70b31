using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rampart.Fleet.Operators.Passwords;

/// <summary>
/// The hash Rampart wrote before Argon2id was available: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2), 16-byte
/// salt, at least 600,000 iterations (OWASP 2023). Read and verified so existing operators can still
/// log in; never written for a new password — a successful login replaces it with Argon2id.
/// </summary>
public sealed record Pbkdf2PasswordHash(int Iterations, byte[] Salt, byte[] Hash) : PasswordHash
{
    /// <summary>Storage prefix.</summary>
    public const string Prefix = "pbkdf2-sha256$";

    /// <summary>The most iterations a stored hash may ask for (bounds the work an edited row can cause).</summary>
    public const int MaximumIterations = 10_000_000;

    /// <inheritdoc />
    public override string Algorithm => "pbkdf2-sha256";

    /// <summary>A PBKDF2 hash as the node used to write them (for migration tests and tools).</summary>
    public static Pbkdf2PasswordHash Create(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return new Pbkdf2PasswordHash(iterations, salt, Derive(password, salt, iterations));
    }

    /// <inheritdoc />
    public override bool Verify(string? presented) =>
        Presentable(presented) && CryptographicOperations.FixedTimeEquals(Derive(presented!, Salt, Iterations), Hash);

    /// <inheritdoc />
    public override bool IsWeakerThan(Argon2Parameters wanted) => true;

    /// <summary>Storage form: <c>pbkdf2-sha256$iterations$salt$hash</c> (base64).</summary>
    public override string Encode() => $"{Prefix}{Iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(Salt)}${Convert.ToBase64String(Hash)}";

    /// <summary>Reads the storage form.</summary>
    public static new Pbkdf2PasswordHash Decode(string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] + "$" != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations is < 1 or > MaximumIterations)
        {
            throw new FormatException("not a pbkdf2-sha256 password hash");
        }

        return new Pbkdf2PasswordHash(iterations, Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]));
    }

    /// <inheritdoc />
    public override string ToString() => $"Pbkdf2PasswordHash {{ Iterations = {Iterations} }}";

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
}
