namespace Rampart.Posture.Zones;

/// <summary>
/// A device confined to the confined zone (issue 18, item 5), automatically or by an operator, and its
/// release. A released row stays: automatic confinement does not confine that device again (the operator decided).
/// </summary>
public sealed record Confinement(string DeviceId, string Reason, string By, DateTimeOffset Since, DateTimeOffset? Released = null, string? ReleasedBy = null, string? ReleaseReason = null)
{
    public bool Active => Released is null;
}

/// <summary>Confinements. Writes run inside their audited transaction.</summary>
public interface IConfinementStore
{
    /// <summary>Confines the device (replacing a released row); false when it is confined already.</summary>
    Task<bool> TryConfineAsync(Fleet.Audit.IStoreTransaction transaction, Confinement confinement, CancellationToken cancellationToken);

    /// <summary>Releases an active confinement; false when the device is not confined.</summary>
    Task<bool> TryReleaseAsync(Fleet.Audit.IStoreTransaction transaction, string deviceId, string by, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every confinement, active and released.</summary>
    Task<IReadOnlyList<Confinement>> ListAsync(CancellationToken cancellationToken);
}
