namespace Rampart.Fleet.Operators;

/// <summary>
/// The outcome of setting a password with an invitation or the setup token. When TOTP is required,
/// the secret is shown once here and the account activates only after a code proves it was stored.
/// </summary>
public sealed record ActivationResult(string UserName, string Role, bool Activated, string? TotpUri, string? TotpSecret)
{
    /// <summary>Keeps the TOTP secret out of anything that prints records.</summary>
    public override string ToString() => $"ActivationResult {{ UserName = {UserName}, Role = {Role}, Activated = {Activated} }}";
}
