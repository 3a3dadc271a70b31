using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Rampart.WebConsole;

/// <summary>
/// The console's script and style sheet, embedded in this assembly and served by the node itself (no
/// CDN, works offline). Each is read once; its ETag is its SHA-256.
/// </summary>
public static class ConsoleAssets
{
    /// <summary>Where the assets are served.</summary>
    public const string Prefix = "/console/assets/";

    /// <summary>The script every page loads.</summary>
    public const string ScriptPath = Prefix + "console.js";

    /// <summary>The style sheet every page loads.</summary>
    public const string StylePath = Prefix + "console.css";

    private static readonly FrozenDictionary<string, Asset> _assets = new[] { ("console.js", "text/javascript; charset=utf-8"), ("console.css", "text/css; charset=utf-8") }
        .ToFrozenDictionary(a => a.Item1, a => Load(a.Item1, a.Item2), StringComparer.Ordinal);

    /// <summary>One asset: its bytes, media type and ETag.</summary>
    public sealed record Asset(byte[] Content, string ContentType, string ETag);

    /// <summary>The asset called <paramref name="name"/>, or null.</summary>
    public static Asset? Find(string name) => _assets.GetValueOrDefault(name);

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("Rampart.WebConsole.Assets." + name)
            ?? throw new InvalidOperationException($"the console asset {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return new Asset(bytes, contentType, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes)) + "\"");
    }
}
