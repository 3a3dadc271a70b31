using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain;

/// <summary>Supply-chain settings (<c>Rampart:SupplyChain</c>).</summary>
public sealed class SupplyChainOptions
{
    /// <summary>The severity a record without one counts as until it is scored (never harmless). Default high.</summary>
    public Severity Unscored { get; set; } = Severity.High;

    /// <summary>The release gate: an open vulnerability at or above this severity without a closing VEX statement refuses promotion. Default high.</summary>
    public Severity GateSeverity { get; set; } = Severity.High;

    /// <summary>
    /// Whether the release gate refuses promotion (default). Off, promotion is never refused by it
    /// (the gate is still evaluated and its reasons audited with the promotion).
    /// </summary>
    public bool EnforceGate { get; set; } = true;
}
