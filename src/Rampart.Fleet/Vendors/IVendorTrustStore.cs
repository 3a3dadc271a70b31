using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Vendors;

/// <summary>Registered manufacturer CAs.</summary>
public interface IVendorTrustStore
{
    /// <summary>Adds a CA; false when the same certificate is registered already.</summary>
    Task<bool> TryAddAsync(IStoreTransaction transaction, VendorTrust trust, CancellationToken cancellationToken);

    /// <summary>Every registered CA.</summary>
    Task<IReadOnlyList<VendorTrust>> ListAsync(CancellationToken cancellationToken);
}
