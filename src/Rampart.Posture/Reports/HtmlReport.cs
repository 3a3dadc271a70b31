using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Rampart.Posture.Reports;

/// <summary>
/// The report as one self-contained HTML file: inline CSS and inline SVG charts, no script, no external
/// reference (it opens offline and a strict Content-Security-Policy does not break it). Every string from a
/// device, a model file or an operator goes through the HTML encoder.
/// </summary>
public static class HtmlReport
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static string Render(PostureReport report)
    {
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rampart fleet posture report</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left}th{background:#eee}.critical{color:#a00}.high{color:#c50}")
            .Append(".chart svg{max-width:100%;height:auto}</style></head><body>\n");
        html.Append("<h1>Fleet posture report</h1>\n<p>Generated ").Append(E(Time(report.Generated))).Append(" by Rampart.</p>\n");
        Summary(html, report);
        html.Append("<h2>Risk distribution</h2>\n<div class=\"chart\">").Append(ReportCharts.Svg(ReportCharts.RiskDistribution(report))).Append("</div>\n");
        Compliance(html, report);
        Findings(html, report);
        Trend(html, report);
        Riskiest(html, report);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, PostureReport report)
    {
        html.Append("<h2>Fleet summary</h2>\n<table><tr><th>devices</th><td>").Append(report.Baseline.Devices.ToString(CultureInfo.InvariantCulture))
            .Append("</td></tr><tr><th>mean risk (0-100)</th><td>").Append(report.MeanRisk.ToString("0.0", CultureInfo.InvariantCulture)).Append("</td></tr>");
        foreach (var (band, devices) in report.Bands())
        {
            html.Append("<tr><th>risk ").Append(E(band)).Append("</th><td>").Append(devices.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        html.Append("<tr><th>non-compliant audit checks</th><td>")
            .Append(report.LatestAudit is { } run ? $"{run.NonCompliant} (run {run.Id}, {E(Time(run.Finished))})" : "no audit run yet").Append("</td></tr></table>\n");
    }

    private static void Compliance(StringBuilder html, PostureReport report)
    {
        html.Append("<h2>Baseline compliance</h2>\n<div class=\"chart\">").Append(ReportCharts.Svg(ReportCharts.ComplianceByStandard(report))).Append("</div>\n");
        html.Append("<h3>Per model</h3>\n<table><tr><th>model</th>");
        foreach (var standard in PostureReport.Standards)
        {
            html.Append("<th>").Append(E(standard)).Append("</th>");
        }

        html.Append("</tr>\n");
        foreach (var (model, compliance) in report.Baseline.ComplianceByModel.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            html.Append("<tr><td>").Append(E(model)).Append("</td>");
            foreach (var standard in PostureReport.Standards)
            {
                html.Append("<td>").Append(Percent(compliance.GetValueOrDefault(standard))).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table>\n<h3>Per requirement</h3>\n<table><tr><th>standard</th><th>requirement</th><th>title</th><th>pass</th><th>fail</th><th>not assessable</th></tr>\n");
        foreach (var tally in report.Baseline.Requirements)
        {
            html.Append("<tr><td>").Append(E(tally.Standard)).Append("</td><td>").Append(E(tally.Id)).Append("</td><td>").Append(E(tally.Title)).Append("</td><td>")
                .Append(tally.Pass.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(tally.Fail.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(tally.NotAssessable.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void Findings(StringBuilder html, PostureReport report)
    {
        html.Append("<h2>Audit findings</h2>\n");
        if (report.LatestAudit is null)
        {
            html.Append("<p>No fleet audit has run yet: <code>rampart audit-fleet run</code>.</p>\n");
            return;
        }

        if (report.Findings.Count == 0)
        {
            html.Append("<p>Every check of run ").Append(report.LatestAudit.Id.ToString(CultureInfo.InvariantCulture)).Append(" is compliant or not assessable.</p>\n");
            return;
        }

        html.Append("<table><tr><th>severity</th><th>check</th><th>resources</th><th>summary</th><th>fix</th></tr>\n");
        foreach (var finding in report.Findings)
        {
            var severity = finding.Severity.ToString().ToLowerInvariant();
            html.Append("<tr><td class=\"").Append(severity).Append("\">").Append(severity).Append("</td><td>").Append(E(finding.Check)).Append("</td><td>")
                .Append(finding.ResourceCount.ToString(CultureInfo.InvariantCulture));
            foreach (var resource in finding.Resources.Take(PostureReport.ResourcesPerFinding))
            {
                html.Append("<br>").Append(E(resource));
            }

            html.Append("</td><td>").Append(E(finding.Summary)).Append("</td><td>").Append(E(finding.Fix)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void Trend(StringBuilder html, PostureReport report)
    {
        html.Append("<h2>Trend</h2>\n<div class=\"chart\">").Append(ReportCharts.Svg(ReportCharts.Trend(report))).Append("</div>\n<p>")
            .Append(report.Trend.Change is { } change ? "Since " + E(Time(report.Trend.Days[0].At)) + ": " + E(change.ToString()) : "Not enough daily snapshots for a trend yet.")
            .Append("</p>\n");
    }

    private static void Riskiest(StringBuilder html, PostureReport report)
    {
        html.Append("<h2>Riskiest devices</h2>\n<table><tr><th>device</th><th>risk</th><th>band</th><th>factors</th></tr>\n");
        foreach (var risk in report.Riskiest)
        {
            html.Append("<tr><td>").Append(E(risk.DeviceId)).Append("</td><td>").Append(risk.Score.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(E(risk.Band)).Append("</td><td>").Append(E(string.Join(", ", risk.Factors.Where(f => f.Value > 0).Select(f => $"{f.Key} {f.Value}")))).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    internal static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string E(string text) => Encoder.Encode(text);
}
