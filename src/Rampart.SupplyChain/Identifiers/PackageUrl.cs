namespace Rampart.SupplyChain.Identifiers;

/// <summary>
/// A package URL (github.com/package-url/purl-spec, "purl specification"):
/// <c>pkg:type/namespace/name@version?qualifiers#subpath</c>. Only what matching needs is kept:
/// type, namespace and name (compared case-insensitively where the type says so) and the version.
/// </summary>
public sealed record PackageUrl(string Type, string? Namespace, string Name, string? Version)
{
    /// <summary>Types whose namespace and name are case-insensitive (purl-spec PURL-TYPES.rst: lower-cased).</summary>
    private static readonly HashSet<string> CaseInsensitive = new(StringComparer.Ordinal) { "npm", "pypi", "deb", "apk", "golang", "github", "bitbucket", "generic", "nuget", "cargo", "gem", "composer", "hex", "rpm" };

    /// <summary>The package's identity without version: <c>type/namespace/name</c>, normalised for lookup.</summary>
    public string Key => Namespace is null ? $"{Type}/{Name}" : $"{Type}/{Namespace}/{Name}";

    /// <summary>Parses a purl; null when it is not one (a missing <c>pkg:</c>, type or name).</summary>
    public static PackageUrl? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase) || text.Length > 4096)
        {
            return null;
        }

        // purl-spec "How to parse": strip #subpath, then ?qualifiers, then scheme; @version from the right.
        var rest = text[4..].TrimStart('/');
        rest = Cut(rest, '#');
        rest = Cut(rest, '?');
        string? version = null;
        var at = rest.LastIndexOf('@');
        if (at > rest.LastIndexOf('/'))
        {
            version = Unescape(rest[(at + 1)..]);
            rest = rest[..at];
        }

        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return null;
        }

        var type = rest[..slash].ToLowerInvariant();
        var segments = rest[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape).ToArray();
        if (segments.Length == 0 || !type.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-'))
        {
            return null;
        }

        var name = segments[^1];
        var space = segments.Length > 1 ? string.Join('/', segments[..^1]) : null;
        if (CaseInsensitive.Contains(type))
        {
            name = name.ToLowerInvariant();
            space = space?.ToLowerInvariant();
        }

        if (type == "pypi")
        {
            // PEP 503 name normalisation: runs of -, _ and . are one '-'.
            name = System.Text.RegularExpressions.Regex.Replace(name, "[-_.]+", "-");
        }

        return new PackageUrl(type, space, name, string.IsNullOrEmpty(version) ? null : version);
    }

    private static string Cut(string text, char separator)
    {
        var index = text.IndexOf(separator);
        return index < 0 ? text : text[..index];
    }

    private static string Unescape(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
