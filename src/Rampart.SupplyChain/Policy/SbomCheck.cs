using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Policy;

/// <summary>
/// <c>rampart sbom check</c>, for CI pipelines (no node): 1. the SBOM is read and validated, 2. matched
/// against the records under the vulnerability path (if given), 3. VEX statements (if given) are
/// attached, 4. every open finding at or above the fail-on severity is a violation.
/// Exit 0 pass, 1 violation, 2 error (an unreadable or invalid SBOM, VEX or record).
/// </summary>
public static class SbomCheck
{
    public const int Pass = 0;
    public const int Violation = 1;
    public const int Error = 2;

    /// <summary>Runs the check; throws <see cref="SbomException"/> or <see cref="VulnerabilityFormatException"/> for what exit code 2 reports.</summary>
    public static SbomCheckResult Run(string sbomPath, string? vulnerabilityPath, string? vexPath, Severity failOn, SeverityPolicy policy)
    {
        var document = SbomReader.ReadFile(sbomPath);
        var data = vulnerabilityPath is null ? new VulnerabilityData([], null, null) : VulnerabilitySet.Read(vulnerabilityPath);
        var records = data.Records;
        IReadOnlyList<VexStatement> vex = [];
        if (vexPath is not null)
        {
            if (!File.Exists(vexPath))
            {
                throw SbomException.Of(string.Empty, $"{vexPath} does not exist");
            }

            vex = VexReader.Read(File.ReadAllBytes(vexPath));
        }

        // A KEV catalog among the records ranks and (known exploited: whatever the score) fails findings, as the release gate does.
        var assessments = Assessment.Of(document.Components, new VulnerabilityIndex(records), vex, data.KnownExploited is { } kev ? policy with { KnownExploited = kev } : policy);
        return new SbomCheckResult(document, records.Count, vulnerabilityPath is not null, assessments, failOn);
    }
}

/// <summary>What a check found.</summary>
public sealed record SbomCheckResult(SbomDocument Document, int Records, bool Matched, IReadOnlyList<Assessment> Assessments, Severity FailOn)
{
    /// <summary>Open findings at or above the fail-on severity, and open known-exploited ones (CISA KEV) whatever theirs.</summary>
    public IEnumerable<Assessment> Violations => Assessments.Where(IsViolation);

    public bool IsViolation(Assessment assessment) => OpenVulnerabilityRule.Blocks(assessment, FailOn, knownExploitedBlocks: true);

    public int ExitCode => Violations.Any() ? SbomCheck.Violation : SbomCheck.Pass;
}
