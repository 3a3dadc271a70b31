namespace Rampart.Fleet.Operators;

/// <summary>An invitation to become operator <see cref="UserName"/> with a role: single use, expiring, stored hashed.</summary>
public sealed record Invitation(long Id, byte[] TokenHash, string UserName, string Role, IReadOnlyList<string> Sites, IReadOnlyList<string> Zones,
    string InvitedBy, DateTimeOffset Expires);
