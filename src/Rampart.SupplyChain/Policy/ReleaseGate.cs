using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Policy;

/// <summary>What the gate judges a release on: its stored SBOM, the result of verifying both manifest signatures, and its assessed findings.</summary>
public sealed record GateContext(string ReleaseId, StoredSbom? Sbom, string? SignatureRefusal, IReadOnlyList<Assessment> Assessments);

/// <summary>One rule of the gate: the reasons it refuses a release (none = it passes).</summary>
public interface IGateRule
{
    IEnumerable<string> Refusals(GateContext context);
}

/// <summary>The release carries an SBOM that validated against its schema.</summary>
public sealed class ValidSbomRule : IGateRule
{
    public IEnumerable<string> Refusals(GateContext context) =>
        context.Sbom is null ? ["the release has no SBOM (attach one with rampart release add --sbom)"]
        : context.Sbom.Problem is { } problem ? [problem]
        : [];
}

/// <summary>Both signatures of the signed manifest (ECDSA P-256 and LMS) verify under the node's firmware keys.</summary>
public sealed class SignaturesRule : IGateRule
{
    public IEnumerable<string> Refusals(GateContext context) => context.SignatureRefusal is { } refusal ? [$"signatures: {refusal}"] : [];
}

/// <summary>
/// No finding at or above <paramref name="threshold"/> is open (affected or unknown, with no VEX statement of
/// not_affected or fixed); with <paramref name="knownExploitedBlocks"/>, no finding CISA's KEV catalog lists
/// is open whatever its severity. Known-exploited reasons come first and say so.
/// </summary>
public sealed class OpenVulnerabilityRule(Severity threshold, bool knownExploitedBlocks = true) : IGateRule
{
    public IEnumerable<string> Refusals(GateContext context) =>
        context.Assessments.Where(a => Blocks(a, threshold, knownExploitedBlocks)).OrderByDescending(a => a.KnownExploited is not null).Select(a =>
            $"{a.Finding.Vulnerability.Id} ({a.Severity.Name()}, {a.Finding.Status.ToString().ToLowerInvariant()}" +
            (a.KnownExploited is { } kev ? $", known exploited: CISA KEV since {kev.DateAdded}{(kev.Ransomware ? ", used by ransomware" : string.Empty)}" : string.Empty) +
            $") in {a.Finding.Component.Name} {a.Finding.Component.Version} is open" +
            (a.Vex is null ? " without a VEX statement" : $" (VEX: {a.Vex.Status.Name()})"));

    /// <summary>Whether an open finding refuses a release (or fails <c>sbom check</c>) under this rule.</summary>
    public static bool Blocks(Assessment assessment, Severity threshold, bool knownExploitedBlocks) =>
        assessment.Open && (assessment.Severity >= threshold || (knownExploitedBlocks && assessment.KnownExploited is not null));
}

/// <summary>
/// Promotion to production as policy: small rules composed in order (smallstep's sign options, not
/// an if chain); the release passes when no rule refuses it, and a refusal lists every reason.
/// </summary>
public sealed class ReleaseGate(IReadOnlyList<IGateRule> rules)
{
    /// <summary>The gate of docs/supply-chain.md: valid SBOM, both signatures, nothing open at or above the severity.</summary>
    public static ReleaseGate Standard(Severity threshold, bool knownExploitedBlocks = true) =>
        new([new ValidSbomRule(), new SignaturesRule(), new OpenVulnerabilityRule(threshold, knownExploitedBlocks)]);

    public IReadOnlyList<string> Refusals(GateContext context) => rules.SelectMany(rule => rule.Refusals(context)).ToArray();
}
