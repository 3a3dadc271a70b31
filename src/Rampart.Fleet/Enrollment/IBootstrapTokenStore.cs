using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Enrollment;

/// <summary>Storage of bootstrap tokens (hashes only). Every change runs inside an audited transaction.</summary>
public interface IBootstrapTokenStore
{
    /// <summary>Revokes the device's unused tokens and stores a new one.</summary>
    Task<long> ReplaceForDeviceAsync(IStoreTransaction transaction, string deviceId, byte[] tokenHash, DateTimeOffset created, DateTimeOffset expires, CancellationToken cancellationToken);

    /// <summary>The token with this hash, in whatever state.</summary>
    Task<BootstrapTokenRecord?> FindByHashAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>Marks the token used unless it is used, revoked or expired; true when this call used it.</summary>
    Task<bool> TryUseAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every unused token of the device; returns how many.</summary>
    Task<int> RevokeForDeviceAsync(IStoreTransaction transaction, string deviceId, DateTimeOffset now, CancellationToken cancellationToken);
}
