using Rampart.SupplyChain.Sbom;

namespace Rampart.SupplyChain.Stores;

/// <summary>
/// The SBOM held for a scope: its hash, what it was, and its normalised components; or, for a release
/// whose attached SBOM did not validate, the <see cref="Problem"/> (no components), which the release
/// gate reports.
/// </summary>
public sealed record StoredSbom(SbomScope Scope, string Sha256, string Description, IReadOnlyList<SbomComponent> Components, string? Problem, string StoredBy, DateTimeOffset Stored);
