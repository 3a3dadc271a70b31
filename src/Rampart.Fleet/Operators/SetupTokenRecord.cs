namespace Rampart.Fleet.Operators;

/// <summary>A setup token as stored: never the token, only its hash.</summary>
public sealed record SetupTokenRecord(
    long Id,
    byte[] TokenHash,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    DateTimeOffset? Consumed,
    DateTimeOffset? Revoked);
