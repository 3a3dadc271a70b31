using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Rampart.Posture.Reports;

/// <summary>
/// The report as a PDF (PDFsharp): A4 pages with the summary, the charts as PNG images (ScottPlot), the
/// compliance per model, the findings, the trend and the riskiest devices; its font embedded. Text is drawn
/// as text (pdftotext reads it back), cut to the column's width so nothing overflows the page.
/// </summary>
public static class PdfReport
{
    public static byte[] Render(PostureReport report)
    {
        ReportFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = "Rampart fleet posture report";
        document.Info.Creator = "Rampart";
        var page = new PageWriter(document);

        page.Heading("Fleet posture report", 18);
        page.Line($"Generated {HtmlReport.Time(report.Generated)} by Rampart.");
        page.Heading("Fleet summary", 14);
        page.Line($"Devices: {report.Baseline.Devices}    mean risk (0-100): {report.MeanRisk.ToString("0.0", CultureInfo.InvariantCulture)}");
        page.Line("Risk bands: " + string.Join(", ", report.Bands().Select(b => $"{b.Band} {b.Devices}")));
        page.Line(report.LatestAudit is { } run ? $"Non-compliant audit checks: {run.NonCompliant} (run {run.Id}, {HtmlReport.Time(run.Finished)})" : "Non-compliant audit checks: no audit run yet");
        page.Chart(ReportCharts.Png(ReportCharts.RiskDistribution(report)));

        page.Heading("Baseline compliance", 14);
        page.Line("Per standard: " + string.Join(", ", PostureReport.Standards.Select(s => $"{s} {HtmlReport.Percent(report.Baseline.Compliance.GetValueOrDefault(s))}")));
        page.Chart(ReportCharts.Png(ReportCharts.ComplianceByStandard(report)));
        page.Line("Per model:", bold: true);
        foreach (var (model, compliance) in report.Baseline.ComplianceByModel.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            page.Line($"{model}: " + string.Join(", ", PostureReport.Standards.Select(s => $"{s} {HtmlReport.Percent(compliance.GetValueOrDefault(s))}")));
        }

        page.Heading("Audit findings", 14);
        if (report.LatestAudit is null)
        {
            page.Line("No fleet audit has run yet (rampart audit-fleet run).");
        }
        else if (report.Findings.Count == 0)
        {
            page.Line($"Every check of run {report.LatestAudit.Id} is compliant or not assessable.");
        }

        foreach (var finding in report.Findings)
        {
            page.Line($"{finding.Severity.ToString().ToUpperInvariant()}  {finding.Check}: {finding.ResourceCount} resource(s)", bold: true);
            page.Line("   " + finding.Summary);
            foreach (var resource in finding.Resources.Take(PostureReport.ResourcesPerFinding))
            {
                page.Line("   " + resource);
            }

            page.Line("   fix: " + finding.Fix);
        }

        page.Heading("Trend", 14);
        page.Chart(ReportCharts.Png(ReportCharts.Trend(report)));
        page.Line(report.Trend.Change is { } change ? $"Since {HtmlReport.Time(report.Trend.Days[0].At)}: {change}" : "Not enough daily snapshots for a trend yet.");

        page.Heading("Riskiest devices", 14);
        foreach (var risk in report.Riskiest)
        {
            page.Line($"{risk.DeviceId}  risk {risk.Score} ({risk.Band})  " + string.Join(", ", risk.Factors.Where(f => f.Value > 0).Select(f => $"{f.Key} {f.Value}")));
        }

        page.Dispose();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>Writes lines and images down A4 pages, starting a new page when the next one does not fit.</summary>
    private sealed class PageWriter(PdfDocument document) : IDisposable
    {
        private const double Margin = 50;
        private XGraphics? _graphics;
        private PdfPage? _page;
        private double _y;

        public void Heading(string text, double size) => Text(text, new XFont(ReportFonts.Family, size, XFontStyleEx.Bold), size * 1.8);

        public void Line(string text, bool bold = false) => Text(text, new XFont(ReportFonts.Family, 9, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular), 13);

        public void Chart(byte[] png)
        {
            using var stream = new MemoryStream(png, writable: false);
            using var image = XImage.FromStream(stream);
            var width = Page().Width.Point - (2 * Margin);
            var height = width * ReportCharts.Height / ReportCharts.Width;
            var graphics = Room(height + 10);
            graphics.DrawImage(image, Margin, _y, width, height);
            _y += height + 10;
        }

        public void Dispose() => _graphics?.Dispose();

        private void Text(string text, XFont font, double height)
        {
            var graphics = Room(height);
            var width = Page().Width.Point - (2 * Margin);
            var fitted = Fit(graphics, text, font, width);
            graphics.DrawString(fitted, font, XBrushes.Black, new XRect(Margin, _y, width, height), XStringFormats.TopLeft);
            _y += height;
        }

        // Cuts a line to the column (with an ellipsis): a long resource list or device id never runs off the page.
        private static string Fit(XGraphics graphics, string text, XFont font, double width)
        {
            var printable = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
            if (graphics.MeasureString(printable, font).Width <= width)
            {
                return printable;
            }

            var length = printable.Length;
            while (length > 1 && graphics.MeasureString(printable[..length] + "…", font).Width > width)
            {
                length = length * 9 / 10;
            }

            return printable[..length] + "…";
        }

        private PdfPage Page() => _page ?? NewPage();

        private XGraphics Room(double height)
        {
            if (_graphics is null || _y + height > Page().Height.Point - Margin)
            {
                NewPage();
            }

            return _graphics!;
        }

        private PdfPage NewPage()
        {
            _graphics?.Dispose();
            _page = document.AddPage();
            _page.Size = PdfSharp.PageSize.A4;
            _graphics = XGraphics.FromPdfPage(_page);
            _y = Margin;
            return _page;
        }
    }
}
