namespace Rampart.SupplyChain.Sbom;

/// <summary>The format an SBOM came in.</summary>
public enum SbomFormat
{
    CycloneDx,
    Spdx,
}

/// <summary>An edge of the dependency graph: <see cref="From"/> depends on <see cref="To"/> (component refs).</summary>
public sealed record SbomDependency(string From, string To);

/// <summary>
/// A validated SBOM, normalised: its components and dependency graph whatever the input format.
/// <see cref="Warnings"/> holds what was accepted but is worth knowing (a dependency cycle).
/// </summary>
public sealed record SbomDocument(
    SbomFormat Format,
    string SpecVersion,
    string? Name,
    IReadOnlyList<SbomComponent> Components,
    IReadOnlyList<SbomDependency> Dependencies,
    IReadOnlyList<string> Warnings)
{
    /// <summary>"CycloneDX 1.6", "SPDX 2.3".</summary>
    public string Describe() => $"{(Format == SbomFormat.CycloneDx ? "CycloneDX" : "SPDX")} {SpecVersion}";
}
