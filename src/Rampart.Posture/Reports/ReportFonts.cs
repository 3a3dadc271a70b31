using PdfSharp.Fonts;

namespace Rampart.Posture.Reports;

/// <summary>
/// PDFsharp's fonts on Linux (it reads no system font by itself): DejaVu Sans from the system's fonts
/// (Debian's fonts-dejavu-core), embedded in the PDF so it renders the same in any viewer. Set once per
/// process: PDFsharp keeps one resolver.
/// </summary>
public sealed class ReportFonts : IFontResolver
{
    /// <summary>The family the report draws with.</summary>
    public const string Family = "DejaVu Sans";

    /// <summary>Where the fonts are looked for, in order.</summary>
    public static readonly IReadOnlyList<string> Directories = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu"];

    private static readonly Lock Gate = new();
    private static bool _installed;

    private ReportFonts()
    {
    }

    /// <summary>Installs the resolver (once), or says which font is missing.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_installed)
            {
                return;
            }

            _ = PathOf("DejaVuSans.ttf");
            GlobalFontSettings.FontResolver = new ReportFonts();
            _installed = true;
        }
    }

    /// <inheritdoc />
    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    /// <inheritdoc />
    public byte[]? GetFont(string faceName) => File.ReadAllBytes(PathOf(faceName + ".ttf"));

    private static string PathOf(string file) =>
        Directories.Select(d => Path.Combine(d, file)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"the PDF report needs the font {file} (Debian: apt-get install fonts-dejavu-core); looked in {string.Join(", ", Directories)}");
}
