using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Rampart.Fleet.Operators.Passwords;

/// <summary>
/// Argon2id (RFC 9106) with a 16-byte random salt and a 32-byte tag, stored in the PHC string format
/// <c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c> (unpadded base64), so the cost travels with the
/// hash and can be raised later. Derivation is Konscious.Security.Cryptography.Argon2 (MIT).
/// </summary>
public sealed record Argon2idPasswordHash(Argon2Parameters Parameters, byte[] Salt, byte[] Hash) : PasswordHash
{
    /// <summary>Storage prefix.</summary>
    public const string Prefix = "$argon2id$";

    // RFC 9106 §3.1: version 0x13 (19) is the only one defined.
    private const string Version = "v=19";
    private const int TagLength = 32;

    /// <inheritdoc />
    public override string Algorithm => "argon2id";

    /// <summary>Hashes a new password with a fresh salt.</summary>
    public static Argon2idPasswordHash Create(string password, Argon2Parameters parameters)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return new Argon2idPasswordHash(parameters, salt, Derive(Encoding.UTF8.GetBytes(password), salt, parameters));
    }

    /// <inheritdoc />
    public override bool Verify(string? presented) =>
        Presentable(presented) && CryptographicOperations.FixedTimeEquals(Derive(Encoding.UTF8.GetBytes(presented!), Salt, Parameters), Hash);

    /// <inheritdoc />
    public override bool IsWeakerThan(Argon2Parameters wanted) => !Parameters.AtLeast(wanted);

    /// <inheritdoc />
    public override string Encode() => $"{Prefix}{Version}${Parameters}${Unpadded(Salt)}${Unpadded(Hash)}";

    /// <summary>Reads the PHC string; refuses parameters outside <see cref="Argon2Parameters"/>' bounds.</summary>
    public static new Argon2idPasswordHash Decode(string encoded)
    {
        // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != Version
            || ReadParameters(parts[3]) is not { } parameters || parameters.Problem() is not null)
        {
            throw new FormatException("not an argon2id password hash this node accepts");
        }

        var salt = FromUnpadded(parts[4]);
        var hash = FromUnpadded(parts[5]);
        return salt.Length < 8 || hash.Length < 16 ? throw new FormatException("argon2id salt or hash too short") : new Argon2idPasswordHash(parameters, salt, hash);
    }

    /// <inheritdoc />
    public override string ToString() => $"Argon2idPasswordHash {{ {Parameters} }}";

    /// <summary>The raw Argon2id tag (RFC 9106 §3.2), with the optional secret K and associated data X the known-answer test uses.</summary>
    internal static byte[] Derive(byte[] password, byte[] salt, Argon2Parameters parameters, byte[]? secret = null, byte[]? associatedData = null, int length = TagLength)
    {
        using var argon = new Argon2id(password)
        {
            Salt = salt,
            MemorySize = parameters.MemoryKiB,
            Iterations = parameters.Passes,
            DegreeOfParallelism = parameters.Parallelism,
            KnownSecret = secret,
            AssociatedData = associatedData,
        };
        try
        {
            return argon.GetBytes(length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    private static Argon2Parameters? ReadParameters(string text)
    {
        var fields = text.Split(',');
        if (fields.Length != 3)
        {
            return null;
        }

        int? Read(string field, string name) =>
            field.StartsWith(name + "=", StringComparison.Ordinal) && int.TryParse(field.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value : null;

        return Read(fields[0], "m") is { } m && Read(fields[1], "t") is { } t && Read(fields[2], "p") is { } p ? new Argon2Parameters(m, t, p) : null;
    }

    private static string Unpadded(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromUnpadded(string text) => Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
}
