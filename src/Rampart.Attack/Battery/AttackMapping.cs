namespace Rampart.Attack.Battery;

/// <summary>The control an attack tests, the seed problem it answers and the OWASP IoT Top 10 (2018) item.</summary>
/// <param name="Control">The control, as docs/security.md names it.</param>
/// <param name="Problem">The field problem (one of the ten Rampart answers).</param>
/// <param name="Owasp">The OWASP IoT Top 10 2018 item, e.g. <c>I1 Weak, guessable or hardcoded passwords</c>.</param>
public sealed record AttackMapping(string Control, string Problem, string Owasp);

/// <summary>The OWASP IoT Top 10 (2018) items, by their own names.</summary>
public static class Owasp
{
    public const string I1 = "I1 Weak, guessable, or hardcoded passwords";
    public const string I2 = "I2 Insecure network services";
    public const string I3 = "I3 Insecure ecosystem interfaces";
    public const string I4 = "I4 Lack of secure update mechanism";
    public const string I5 = "I5 Use of insecure or outdated components";
    public const string I7 = "I7 Insecure data transfer and storage";
    public const string I8 = "I8 Lack of device management";
}

/// <summary>The field problems Rampart answers (README, architecture.md), as the report names them.</summary>
public static class Problems
{
    public const string DefaultPasswords = "default and shared passwords";
    public const string Updates = "updates unsigned or never arriving";
    public const string Plaintext = "plaintext and one-sided protocols";
    public const string Identity = "weak identities and all-or-nothing permissions";
    public const string Visibility = "no visibility";
    public const string Tampering = "physical tampering";
    public const string AttackSurface = "a huge attack surface";
}
