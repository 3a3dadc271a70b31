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

    /// <summary>PBKDF2 iterations for new password hashes; never below 600,000.</summary>
    public int PasswordIterations { get; set; } = Passwords.PasswordHash.DefaultIterations;
}
