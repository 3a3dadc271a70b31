using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Policy;

/// <summary>A finding with the severity it counts as and the VEX statement about it, if any (shown with it, never instead of it).</summary>
public sealed record Assessment(Finding Finding, Severity Severity, VexStatement? Vex)
{
    /// <summary>Still to be dealt with: no VEX statement closes it.</summary>
    public bool Open => Vex is not { Closes: true };

    /// <summary>Every finding of the components, assessed: severity by policy, the last VEX statement that speaks about it.</summary>
    public static IReadOnlyList<Assessment> Of(IEnumerable<SbomComponent> components, VulnerabilityIndex index, IReadOnlyList<VexStatement> vex, SeverityPolicy policy) =>
        components.SelectMany(index.Match).Select(f => new Assessment(f, policy.Of(f.Vulnerability), VexMatching.For(f, vex)))
            .OrderByDescending(a => a.Severity).ThenBy(a => a.Finding.Vulnerability.Id, StringComparer.Ordinal).ThenBy(a => a.Finding.Component.Ref, StringComparer.Ordinal)
            .ToArray();
}
