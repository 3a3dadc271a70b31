namespace Rampart.Fleet.Operators;

/// <summary>Operator account settings (section <c>Rampart:Operators</c>).</summary>
public sealed class OperatorOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Operators";

    /// <summary>How long an invitation can be used.</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Consecutive failed logins that lock an account.</summary>
    public int LockoutThreshold { get; set; } = 10;

    /// <summary>How long a locked account stays locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of the token a login returns (CLI) or of a browser session.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Longest lifetime of an API token.</summary>
    public TimeSpan MaximumTokenLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Argon2id memory per password hash in KiB (RFC 9106 m); never below OWASP's 19 MiB (19456).</summary>
    public int PasswordMemoryKiB { get; set; } = Passwords.Argon2Parameters.OwaspMinimum.MemoryKiB;

    /// <summary>Argon2id passes (RFC 9106 t); never below OWASP's 2.</summary>
    public int PasswordPasses { get; set; } = Passwords.Argon2Parameters.OwaspMinimum.Passes;

    /// <summary>Argon2id lanes (RFC 9106 p); OWASP's parameters use 1.</summary>
    public int PasswordParallelism { get; set; } = Passwords.Argon2Parameters.OwaspMinimum.Parallelism;

    /// <summary>Password hashes computed at once; 0 sizes it from memory (an eighth of what the process may use, over one hash's memory).</summary>
    public int ConcurrentPasswordHashes { get; set; }

    /// <summary>How long a login waits for a free hashing slot before it is answered 429.</summary>
    public TimeSpan PasswordHashWait { get; set; } = TimeSpan.FromSeconds(2);
}
