using Rampart.Fleet.Audit;

namespace Rampart.Adapters.Credentials;

/// <summary>PSKs and legacy secrets of devices, and the legacy flags. Changes run inside an audited transaction.</summary>
public interface IDeviceCredentialStore
{
    /// <summary>The device's credential of <paramref name="kind"/> in force, or null.</summary>
    Task<DeviceCredential?> GetActiveAsync(string deviceId, CredentialKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes the device's credential of the same kind in force (returning its key id) and adds
    /// <paramref name="credential"/>. Throws when the verifier is some credential's already (never shared).
    /// </summary>
    Task<string?> ReplaceAsync(IStoreTransaction transaction, DeviceCredential credential, CancellationToken cancellationToken);

    /// <summary>Revokes the device's credential of <paramref name="kind"/> in force; its key id, or null when there was none.</summary>
    Task<string?> RevokeAsync(IStoreTransaction transaction, string deviceId, CredentialKind kind, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>True when some credential, of any device and kind, in force or not, has this verifier.</summary>
    Task<bool> VerifierExistsAsync(byte[] verifier, CancellationToken cancellationToken);

    /// <summary>Flags the device as legacy; false when it is flagged already.</summary>
    Task<bool> TryAddLegacyAsync(IStoreTransaction transaction, LegacyRegistration registration, CancellationToken cancellationToken);

    /// <summary>The device's legacy flag (open or replaced), or null.</summary>
    Task<LegacyRegistration?> GetLegacyAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Every legacy registration, open findings first, then by device id.</summary>
    Task<IReadOnlyList<LegacyRegistration>> ListLegacyAsync(CancellationToken cancellationToken);

    /// <summary>Closes the finding: the device was replaced (or moved to a certificate); false when not open.</summary>
    Task<bool> MarkReplacedAsync(IStoreTransaction transaction, string deviceId, DateTimeOffset at, CancellationToken cancellationToken);
}
