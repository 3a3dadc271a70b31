using System.Text.RegularExpressions;
using Rampart.Posture.Reports;
using Rampart.Testing;

namespace Rampart.Posture.Tests.Reports;

/// <summary>The report for people (issue 18, item 7): the PDF opens (poppler renders a page and reads its text back), the HTML is one self-contained, escaped file.</summary>
public sealed partial class PostureReportTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_pdf_report_renders_as_a_page_and_its_text_names_the_summary_findings_compliance_trend_and_riskiest_devices()
    {
        var path = _temp.Sub("posture.pdf");
        await File.WriteAllBytesAsync(path, PdfReport.Render(Reports.Crafted()));
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString((await File.ReadAllBytesAsync(path))[..5]), StringComparison.Ordinal);

        var (textExit, textOutput) = await RunningProcess.RunAsync("pdftotext", ["-layout", path, "-"], Patience);
        Assert.True(textExit == 0, textOutput);
        foreach (var expected in new[]
        {
            "Fleet posture report", "Fleet summary", "Devices: 5", "Risk bands:", "Baseline compliance", "etsi-en-303-645", "Per model:", Reports.HostileModel,
            "Audit findings", "unsupported-firmware", "device/d-old", "fix:", "Trend", "mean risk -10", "findings -2", "Riskiest devices", Reports.HostileDevice,
        })
        {
            Assert.Contains(expected, textOutput, StringComparison.Ordinal);
        }

        var (renderExit, renderOutput) = await RunningProcess.RunAsync("pdftoppm", ["-png", "-r", "40", "-f", "1", "-l", "1", path, _temp.Sub("page")], Patience);
        Assert.True(renderExit == 0, renderOutput);
        var page = Directory.GetFiles(_temp.Path, "page*.png").Single();
        var png = await File.ReadAllBytesAsync(page);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 2_000, $"the rendered page is {png.Length} bytes: nearly blank");
    }

    [Fact]
    public void The_html_report_is_one_file_with_inline_charts_no_script_or_external_reference_and_every_supplied_string_escaped()
    {
        var html = HtmlReport.Render(Reports.Crafted());

        Assert.Equal(3, SvgOpen().Matches(html).Count);
        Assert.DoesNotContain("<?xml", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(ExternalReference().Matches(html));
        Assert.Contains("&lt;script&gt;alert(&#x27;model&#x27;)&lt;/script&gt;/Cam&quot;&#x27;&amp;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;/td&gt;&lt;script src=&quot;https://evil.example/x.js&quot;&gt;&lt;/script&gt;", html, StringComparison.Ordinal);
        foreach (var expected in new[] { "Fleet summary", "Risk distribution", "Per model", "Per requirement", "5.1-1", "Audit findings", "unsupported-firmware", "Trend", "Riskiest devices" })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_report_before_any_audit_run_says_so_instead_of_showing_no_findings()
    {
        var report = Reports.Crafted() with { LatestAudit = null, Trend = Rampart.Posture.Risk.PostureTrend.Of(Subjects.Now.AddDays(-30), []) };

        var html = HtmlReport.Render(report);

        Assert.Contains("No fleet audit has run yet", html, StringComparison.Ordinal);
        Assert.Contains("Not enough daily snapshots for a trend yet.", html, StringComparison.Ordinal);
    }

    // A src or href attribute inside a tag, a CSS url( or @import, that points outside the file (a fragment such as #clip
    // stays inside; xmlns declarations are names, not fetches; escaped text has no tag around it).
    [GeneratedRegex(@"(<[^<>]*\b(src|href)\s*=\s*[""']?(?!#)|url\s*\(\s*[""']?(?!#)|@import)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex("<svg[\\s>]")]
    private static partial Regex SvgOpen();
}
