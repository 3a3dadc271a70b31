namespace Rampart.Server.Setup;

/// <summary>The answer to a rotation: the only time the token is shown.</summary>
public sealed record SetupTokenResponse(string Token, DateTimeOffset Expires);
