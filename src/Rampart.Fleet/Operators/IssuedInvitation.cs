namespace Rampart.Fleet.Operators;

/// <summary>A new invitation token, shown once.</summary>
public sealed record IssuedInvitation(string UserName, string Role, string Token, DateTimeOffset Expires)
{
    /// <summary>Keeps the token out of anything that prints records.</summary>
    public override string ToString() => $"IssuedInvitation {{ UserName = {UserName}, Role = {Role}, Expires = {Expires:O} }}";
}
