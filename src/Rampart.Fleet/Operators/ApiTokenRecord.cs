namespace Rampart.Fleet.Operators;

/// <summary>An API token as stored: its hash, owner, scopes and life. Sessions are tokens a login created.</summary>
public sealed record ApiTokenRecord(
    long Id, string UserName, string Name, byte[] TokenHash, IReadOnlyList<string> Scopes, DateTimeOffset Created, DateTimeOffset Expires, DateTimeOffset? Revoked);
