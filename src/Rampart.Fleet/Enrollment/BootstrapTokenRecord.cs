namespace Rampart.Fleet.Enrollment;

/// <summary>A bootstrap token as stored: its hash, the device it is bound to, its life.</summary>
public sealed record BootstrapTokenRecord(
    long Id,
    string DeviceId,
    byte[] TokenHash,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    DateTimeOffset? Used,
    DateTimeOffset? Revoked);
