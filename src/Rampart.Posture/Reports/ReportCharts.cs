using ScottPlot;

namespace Rampart.Posture.Reports;

/// <summary>
/// The report's charts, drawn by ScottPlot (server-side, no script): the risk distribution, compliance per
/// standard, and the trend of mean risk and compliance. Labels are only numbers, band and standard names and
/// dates Rampart writes itself (never a device-supplied string), so the SVG needs no escaping of ours. Each
/// chart comes as SVG (for HTML) or PNG (for PDF).
/// </summary>
public static class ReportCharts
{
    public const int Width = 640;
    public const int Height = 300;

    public static Plot RiskDistribution(PostureReport report)
    {
        var plot = new Plot();
        var histogram = report.RiskHistogram();
        var bars = plot.Add.Bars(histogram.Select(h => (double)h).ToArray());
        bars.Color = Colors.SteelBlue;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, 10).Select(i => (double)i).ToArray(), Enumerable.Range(0, 10).Select(i => i == 9 ? "90-100" : $"{i * 10}-{(i * 10) + 9}").ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("Risk score distribution");
        plot.XLabel("risk score");
        plot.YLabel("devices");
        return plot;
    }

    public static Plot ComplianceByStandard(PostureReport report)
    {
        var plot = new Plot();
        var standards = PostureReport.Standards;
        var bars = plot.Add.Bars(standards.Select(s => Math.Round(report.Baseline.Compliance.GetValueOrDefault(s) * 100, 1)).ToArray());
        bars.Color = Colors.SeaGreen;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, standards.Count).Select(i => (double)i).ToArray(), [.. standards]);
        plot.Axes.SetLimitsY(0, 100);
        plot.Title("Baseline compliance per standard (%)");
        plot.YLabel("% of judged requirements passing");
        return plot;
    }

    public static Plot Trend(PostureReport report)
    {
        var plot = new Plot();
        var days = report.Trend.Days;
        if (days.Count > 0)
        {
            var xs = days.Select(d => d.At.UtcDateTime.ToOADate()).ToArray();
            var risk = plot.Add.Scatter(xs, days.Select(d => d.MeanRisk).ToArray());
            risk.LegendText = "mean risk";
            foreach (var standard in PostureReport.Standards)
            {
                var line = plot.Add.Scatter(xs, days.Select(d => Math.Round(d.Compliance.GetValueOrDefault(standard) * 100, 1)).ToArray());
                line.LegendText = standard + " %";
            }

            plot.Axes.DateTimeTicksBottom();
            plot.ShowLegend(Alignment.LowerLeft);
        }

        plot.Axes.SetLimitsY(0, 100);
        plot.Title(days.Count > 0 ? "Posture per day" : "Posture per day (no audit run yet)");
        return plot;
    }

    /// <summary>The chart as an SVG element to inline in HTML (without the XML declaration a standalone file starts with).</summary>
    public static string Svg(Plot plot)
    {
        var svg = plot.GetSvgXml(Width, Height);
        return svg.StartsWith("<?xml", StringComparison.Ordinal) && svg.IndexOf("?>", StringComparison.Ordinal) is var end and > 0 ? svg[(end + 2)..].TrimStart() : svg;
    }

    public static byte[] Png(Plot plot) => plot.GetImageBytes(Width * 2, Height * 2, ImageFormat.Png);
}
