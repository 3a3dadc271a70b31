using System.Text.Json;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Cli.Commands;

/// <summary>How SBOM checks and exposure findings are printed: one line per finding, the VEX statement on it.</summary>
internal static class SbomOutput
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Print(SbomCheckResult result)
    {
        Console.WriteLine($"{result.Document.Describe()}{(result.Document.Name is null ? string.Empty : $" \"{result.Document.Name}\"")}: {result.Document.Components.Count} components, valid");
        foreach (var warning in result.Document.Warnings)
        {
            Console.WriteLine($"warning: {warning}");
        }

        if (!result.Matched)
        {
            Console.WriteLine("no vulnerability data given (--vulns DIR): schema check only");
            return;
        }

        Console.WriteLine($"{result.Records} vulnerability records; {result.Assessments.Count} findings");
        foreach (var assessment in result.Assessments)
        {
            Console.WriteLine(Line(FindingView.Of(assessment), result.IsViolation(assessment) ? "FAIL" : assessment.Open ? "open" : "vex"));
        }

        var violations = result.Violations.Count();
        Console.WriteLine(violations == 0
            ? $"pass: no open finding at or above {result.FailOn.Name()}"
            : $"fail: {violations} open finding{(violations == 1 ? string.Empty : "s")} at or above {result.FailOn.Name()} or known exploited");
    }

    /// <summary><c>FAIL critical CVE-… curl 8.3.0 [affected] 8.3.0 is in …; KNOWN EXPLOITED (…); fixed in 8.4.0; vex: …</c></summary>
    public static string Line(FindingView f, string mark) =>
        $"{mark,-4} {f.Severity,-8} {f.Vulnerability,-20} {f.Name} {f.Version ?? "(no version)"} [{f.Status}] {f.Reason}" +
        (f.Score is { } score ? $"; CVSS {CvssV3.Format(score)}" : f.SeverityBasis == "unscored" ? "; unscored" : string.Empty) +
        (f.KnownExploited is { } kev ? $"; KNOWN EXPLOITED (CISA KEV since {kev.DateAdded}, action due {kev.DueDate}{(kev.Ransomware ? ", used by ransomware" : string.Empty)})" : string.Empty) +
        (f.FixedIn is null ? string.Empty : $"; fixed in {f.FixedIn}") +
        (f.Vex is null ? string.Empty : $"; vex: {f.Vex.Status}{(f.Vex.Justification is null ? string.Empty : $" ({f.Vex.Justification})")}{(f.Vex.Detail is null ? string.Empty : $" — {f.Vex.Detail}")}");
}
