using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Policy;

/// <summary>
/// A finding with the severity it counts as, the VEX statement about it, if any (shown with it, never
/// instead of it), and its entry in CISA's Known Exploited Vulnerabilities catalog, if listed.
/// </summary>
public sealed record Assessment(Finding Finding, Severity Severity, VexStatement? Vex, KnownExploitedEntry? KnownExploited = null)
{
    /// <summary>Still to be dealt with: no VEX statement closes it.</summary>
    public bool Open => Vex is not { Closes: true };

    /// <summary>
    /// Every finding of the components, assessed: severity by policy, the last VEX statement that speaks
    /// about it, its KEV entry; known exploited first (exploitation in the wild outranks a score), then by severity.
    /// </summary>
    public static IReadOnlyList<Assessment> Of(IEnumerable<SbomComponent> components, VulnerabilityIndex index, IReadOnlyList<VexStatement> vex, SeverityPolicy policy) =>
        components.SelectMany(index.Match).Select(f => new Assessment(f, policy.Of(f.Vulnerability), VexMatching.For(f, vex), policy.ExploitedOf(f.Vulnerability)))
            .OrderByDescending(a => a.KnownExploited is not null).ThenByDescending(a => a.Severity).ThenBy(a => a.Finding.Vulnerability.Id, StringComparer.Ordinal).ThenBy(a => a.Finding.Component.Ref, StringComparer.Ordinal)
            .ToArray();
}
