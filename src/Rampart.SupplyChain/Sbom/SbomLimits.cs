namespace Rampart.SupplyChain.Sbom;

/// <summary>
/// Bounds on what an SBOM may be, checked before and while it is read, so a hostile document costs
/// at most this much. A firmware image of a few hundred packages is far inside all of them.
/// </summary>
public sealed record SbomLimits
{
    /// <summary>How many problems a refusal lists.</summary>
    public const int MaxProblems = 20;

    /// <summary>Largest document read (bytes).</summary>
    public long MaxBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Deepest JSON nesting (objects and arrays); the schemas need about 12.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most components (nested ones counted).</summary>
    public int MaxComponents { get; init; } = 100_000;

    /// <summary>Most dependency edges.</summary>
    public int MaxDependencies { get; init; } = 1_000_000;

    /// <summary>The defaults.</summary>
    public static SbomLimits Default { get; } = new();
}
