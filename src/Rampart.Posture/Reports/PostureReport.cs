using Rampart.Posture.Baselines;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Risk;

namespace Rampart.Posture.Reports;

/// <summary>
/// What the report for people shows (issue 18, item 7), gathered once and rendered as HTML or PDF: the fleet
/// summary, the risk distribution, baseline compliance per standard and per model, the latest audit run's
/// findings, the trend, and the riskiest devices. Every string that came from a device, an operator or a
/// model file is escaped by the renderer.
/// </summary>
public sealed record PostureReport(DateTimeOffset Generated, FleetBaseline Baseline, AuditRun? LatestAudit, PostureTrend Trend)
{
    /// <summary>Riskiest devices listed.</summary>
    public const int TopDevices = 20;

    /// <summary>Resources listed per finding.</summary>
    public const int ResourcesPerFinding = 10;

    /// <summary>Risk scores in ten-point buckets (0–9, …, 90–100): the distribution chart's bars.</summary>
    public int[] RiskHistogram()
    {
        var buckets = new int[10];
        foreach (var risk in Baseline.Risks)
        {
            buckets[Math.Clamp(risk.Score / 10, 0, 9)]++;
        }

        return buckets;
    }

    /// <summary>Devices per risk band, in band order.</summary>
    public IReadOnlyList<(string Band, int Devices)> Bands() =>
        RiskScore.Bands.Select(band => (band, Baseline.Risks.Count(r => r.Band == band))).ToArray();

    public double MeanRisk => Baseline.Risks.Count == 0 ? 0 : Math.Round(Baseline.Risks.Average(r => r.Score), 1);

    public IReadOnlyList<RiskScore> Riskiest => Baseline.Risks.OrderByDescending(r => r.Score).ThenBy(r => r.DeviceId, StringComparer.Ordinal).Take(TopDevices).ToArray();

    /// <summary>The latest run's non-compliant checks, most severe first.</summary>
    public IReadOnlyList<CheckResult> Findings => LatestAudit?.Checks.Where(c => c.Status == CheckStatus.NonCompliant)
        .OrderByDescending(c => c.Severity).ThenBy(c => c.Check, StringComparer.Ordinal).ToArray() ?? [];

    /// <summary>The standards, in the order the baselines list them.</summary>
    public static IReadOnlyList<string> Standards => [.. SecurityBaselines.Standards.Keys];
}

/// <summary>Gathers a <see cref="PostureReport"/>: a fresh baseline of the fleet, the latest audit run, and the trend.</summary>
public sealed class PostureReportService(BaselineService baselines, FleetAuditService audits, TimeProvider time)
{
    public async Task<PostureReport> BuildAsync(int trendDays, CancellationToken cancellationToken)
    {
        var trend = await audits.TrendAsync(trendDays, cancellationToken);
        var latest = (await audits.ListAsync(1, cancellationToken)).FirstOrDefault();
        var baseline = await baselines.FleetAsync(cancellationToken);
        return new PostureReport(time.GetUtcNow(), baseline, latest, trend);
    }
}
