namespace Rampart.Server.Setup;

/// <summary>The answer to a rotation: the only time the token is shown.</summary>
public sealed record SetupTokenResponse(string Token, DateTimeOffset Expires)
{
    // Redacted: a record's generated ToString would print the token into any log or exception message.
    public override string ToString() => $"SetupTokenResponse {{ Expires = {Expires:O} }}";
}
