using Rampart.Fleet.Audit;

namespace Rampart.Detection.Response;

/// <summary>Tightened limits per device (issue 14, item 5), persisted so that a restart or another node applies them too.</summary>
public interface ILimitOverrideStore
{
    /// <summary>Sets the device's override; false when it has one already (the first alert's stays).</summary>
    Task<bool> TryAddAsync(IStoreTransaction transaction, DeviceLimitOverride limits, CancellationToken cancellationToken);

    /// <summary>Removes the device's override; false when it had none.</summary>
    Task<bool> RemoveAsync(IStoreTransaction transaction, string deviceId, CancellationToken cancellationToken);

    /// <summary>Every override (bounded by the devices the response tightened).</summary>
    Task<IReadOnlyList<DeviceLimitOverride>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>Where tightened limits take effect: the gateway's per-identity limits (the host implements it).</summary>
public interface ILiveLimits
{
    /// <summary>Applies (or with null, clears) the device's override on its live and future sessions.</summary>
    void Apply(string deviceId, Fleet.Gateway.LimitOverride? limits);

    /// <summary>Devices with an override applied now.</summary>
    IReadOnlyCollection<string> Applied { get; }
}
