using Rampart.Fleet.Audit;

namespace Rampart.SupplyChain.Stores;

/// <summary>SBOMs per release and per model. Writes are audited: they take the audit writer's transaction.</summary>
public interface ISbomStore
{
    /// <summary>Stores (or replaces) the scope's SBOM inside <paramref name="transaction"/>.</summary>
    Task PutAsync(IStoreTransaction transaction, StoredSbom sbom, CancellationToken cancellationToken);

    /// <summary>The scope's SBOM, or null.</summary>
    Task<StoredSbom?> GetAsync(SbomScope scope, CancellationToken cancellationToken);

    /// <summary>Every stored SBOM (what exposure is computed over).</summary>
    Task<IReadOnlyList<StoredSbom>> ListAsync(CancellationToken cancellationToken);
}
