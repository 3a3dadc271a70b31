using Rampart.Fleet.Operators.Passwords;

namespace Rampart.Fleet.Operators;

/// <summary>
/// An operator account. Scope, when not empty, limits device access to those sites and zones.
/// <see cref="Activated"/> is false until the user proved their TOTP (roles that require it) or set a password.
/// </summary>
public sealed record OperatorUser(
    string Name,
    string Role,
    IReadOnlyList<string> Sites,
    IReadOnlyList<string> Zones,
    PasswordHash Password,
    byte[]? SealedTotpSecret,
    bool Activated,
    bool Disabled,
    int FailedLogins,
    DateTimeOffset? LockedUntil,
    long LastTotpStep,
    DateTimeOffset Created);
