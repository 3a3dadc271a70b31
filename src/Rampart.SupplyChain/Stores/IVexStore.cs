using Rampart.Fleet.Audit;
using Rampart.SupplyChain.Vex;

namespace Rampart.SupplyChain.Stores;

/// <summary>A VEX statement with the scope it was given for.</summary>
public sealed record ScopedVex(SbomScope Scope, VexStatement Statement);

/// <summary>VEX statements per release or model; setting a scope's statements replaces them (audited).</summary>
public interface IVexStore
{
    /// <summary>Replaces the scope's statements inside <paramref name="transaction"/>.</summary>
    Task SetAsync(IStoreTransaction transaction, SbomScope scope, IReadOnlyList<VexStatement> statements, CancellationToken cancellationToken);

    /// <summary>Every statement, in the order each scope was given them.</summary>
    Task<IReadOnlyList<ScopedVex>> ListAsync(CancellationToken cancellationToken);
}
