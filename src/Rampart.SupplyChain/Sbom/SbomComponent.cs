namespace Rampart.SupplyChain.Sbom;

/// <summary>
/// One component, the same whatever format described it: CycloneDX <c>components[]</c> (nested ones
/// flattened) or SPDX <c>packages[]</c>.
/// </summary>
/// <param name="Ref">The document's own reference: CycloneDX <c>bom-ref</c> (or a generated one), SPDX <c>SPDXID</c>.</param>
/// <param name="Hashes">Algorithm (upper case, e.g. <c>SHA-256</c>) to lower-case hex.</param>
/// <param name="Licences">SPDX ids or expressions, or licence names where no id was given.</param>
public sealed record SbomComponent(
    string Ref,
    string Name,
    string? Version,
    string? Purl,
    string? Cpe,
    IReadOnlyDictionary<string, string> Hashes,
    string? Supplier,
    IReadOnlyList<string> Licences);
