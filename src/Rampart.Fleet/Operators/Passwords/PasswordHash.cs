namespace Rampart.Fleet.Operators.Passwords;

/// <summary>
/// A stored operator password hash. New hashes are Argon2id (<see cref="Argon2idPasswordHash"/>,
/// RFC 9106); hashes written before it are PBKDF2-HMAC-SHA256 (<see cref="Pbkdf2PasswordHash"/>) and
/// are replaced by Argon2id at the next successful login (<see cref="PasswordHasher"/>).
/// </summary>
public abstract record PasswordHash
{
    /// <summary>The algorithm name as stored (<c>argon2id</c>, <c>pbkdf2-sha256</c>).</summary>
    public abstract string Algorithm { get; }

    /// <summary>Checks a presented password in constant time (the comparison; the derivation is the same work for any input).</summary>
    public abstract bool Verify(string? presented);

    /// <summary>The storage form.</summary>
    public abstract string Encode();

    /// <summary>True when this hash is not Argon2id with at least <paramref name="wanted"/>'s cost: rehash at the next successful login.</summary>
    public abstract bool IsWeakerThan(Argon2Parameters wanted);

    /// <summary>Reads either storage form; throws <see cref="FormatException"/> for anything else.</summary>
    public static PasswordHash Decode(string encoded) =>
        encoded.StartsWith(Argon2idPasswordHash.Prefix, StringComparison.Ordinal) ? Argon2idPasswordHash.Decode(encoded)
        : encoded.StartsWith(Pbkdf2PasswordHash.Prefix, StringComparison.Ordinal) ? Pbkdf2PasswordHash.Decode(encoded)
        : throw new FormatException("not an argon2id or pbkdf2-sha256 password hash");

    /// <summary>True for a presented password that is worth deriving: not empty and within the policy's maximum length.</summary>
    protected static bool Presentable(string? presented) => presented is { Length: > 0 and <= PasswordPolicy.MaximumLength };
}
