using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Policy;

/// <summary>How severe a record counts: its rating, or <see cref="Unscored"/> when it has none (never "harmless" until scored).</summary>
public sealed record SeverityPolicy(Severity Unscored = Severity.High)
{
    public static SeverityPolicy Default { get; } = new();

    public Severity Of(Vulnerability vulnerability) => vulnerability.Rating.Severity ?? Unscored;
}
