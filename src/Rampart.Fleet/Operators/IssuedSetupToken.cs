namespace Rampart.Fleet.Operators;

/// <summary>A freshly issued setup token: the only moment the plain token exists. Show it once; do not log it.</summary>
public sealed record IssuedSetupToken(string Token, DateTimeOffset Expires)
{
    /// <summary>Keeps the token out of logs and debugger displays that print records.</summary>
    public override string ToString() => $"IssuedSetupToken {{ Expires = {Expires:O} }}";
}
