namespace Rampart.Fleet.Operators;

/// <summary>Settings of the one-time setup token that creates the first administrator (section <c>Rampart:SetupToken</c>).</summary>
public sealed class SetupTokenOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:SetupToken";

    /// <summary>How long a setup token can be used after it is printed.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(24);
}
