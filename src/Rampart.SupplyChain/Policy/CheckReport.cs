using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Policy;

/// <summary>One assessed finding as <c>--json</c> and the API show it: the VEX statement beside the finding, never instead of it.</summary>
public sealed record FindingView(
    string Vulnerability, IReadOnlyList<string> Aliases, string? Summary, string Component, string Name, string? Version, string? Purl, string Status,
    string Severity, double? Score, string SeverityBasis, string Reason, string? FixedIn, VexView? Vex, bool Open, KnownExploitedView? KnownExploited = null)
{
    /// <summary>The view of an assessment.</summary>
    public static FindingView Of(Assessment a) => new(
        a.Finding.Vulnerability.Id, a.Finding.Vulnerability.Aliases, a.Finding.Vulnerability.Summary, a.Finding.Component.Ref, a.Finding.Component.Name,
        a.Finding.Component.Version, a.Finding.Component.Purl, a.Finding.Status.ToString().ToLowerInvariant(), a.Severity.Name(), a.Finding.Vulnerability.Rating.Score,
        a.Finding.Vulnerability.Rating.Basis, a.Finding.Reason, a.Finding.FixedIn, a.Vex is null ? null : new VexView(Rampart.SupplyChain.Vex.VexStatuses.Name(a.Vex.Status), a.Vex.Justification, a.Vex.Detail, a.Vex.Source),
        a.Open, a.KnownExploited is { } kev ? new KnownExploitedView(kev.DateAdded, kev.DueDate, kev.Ransomware, kev.RequiredAction) : null);
}

/// <summary>A finding's entry in CISA's KEV catalog, as shown with it: when CISA added it, the action due date, ransomware use, the action required.</summary>
public sealed record KnownExploitedView(string DateAdded, string DueDate, bool Ransomware, string RequiredAction);

/// <summary>A VEX statement as shown with its finding.</summary>
public sealed record VexView(string Status, string? Justification, string? Detail, string Source);

/// <summary>What <c>rampart sbom check --json</c> prints.</summary>
public sealed record CheckReport(
    string Sbom, string? Name, int Components, IReadOnlyList<string> Warnings, int VulnerabilityRecords, string FailOn, string Verdict,
    int Violations, IReadOnlyList<FindingView> Findings)
{
    public static CheckReport Of(SbomCheckResult result) => new(
        result.Document.Describe(), result.Document.Name, result.Document.Components.Count, result.Document.Warnings, result.Records, result.FailOn.Name(),
        result.ExitCode == SbomCheck.Pass ? "pass" : "fail", result.Violations.Count(), result.Assessments.Select(FindingView.Of).ToArray());
}
