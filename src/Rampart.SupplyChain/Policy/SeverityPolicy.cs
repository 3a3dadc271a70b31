using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Policy;

/// <summary>
/// How severe a record counts: its rating, or <see cref="Unscored"/> when it has none (never "harmless"
/// until scored); and whether it is known to be exploited (<see cref="KnownExploited"/>, CISA's KEV catalog),
/// which ranks a finding first and, as policy says, makes it block whatever its score.
/// </summary>
public sealed record SeverityPolicy(Severity Unscored = Severity.High, KnownExploitedCatalog? KnownExploited = null)
{
    public static SeverityPolicy Default { get; } = new();

    public Severity Of(Vulnerability vulnerability) => vulnerability.Rating.Severity ?? Unscored;

    /// <summary>The KEV entry of <paramref name="vulnerability"/>, or null (not listed, or no catalog imported).</summary>
    public KnownExploitedEntry? ExploitedOf(Vulnerability vulnerability) => KnownExploited?.Of(vulnerability);
}
