using System.Text.Json;

namespace Rampart.SupplyChain.Sbom;

/// <summary>
/// Reads an SBOM: 1. within <see cref="SbomLimits"/> (size, then depth while parsing), 2. recognises
/// CycloneDX (<c>bomFormat</c>/<c>specVersion</c>) or SPDX (<c>spdxVersion</c>) and the version,
/// 3. validates the whole document against that version's official schema, 4. normalises it into
/// <see cref="SbomDocument"/>, refusing what the schemas cannot say (duplicate refs) and noting
/// dependency cycles. Any failure throws <see cref="SbomException"/> with every problem's path and
/// reason; nothing is returned half-read.
/// </summary>
public static class SbomReader
{
    /// <summary>Reads and validates <paramref name="bytes"/>.</summary>
    public static SbomDocument Read(ReadOnlyMemory<byte> bytes, SbomLimits? limits = null)
    {
        limits ??= SbomLimits.Default;
        if (bytes.Length > limits.MaxBytes)
        {
            throw SbomException.Of(string.Empty, $"the document is {bytes.Length} bytes; at most {limits.MaxBytes} are read");
        }

        using var document = Parse(bytes, limits);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw SbomException.Of(string.Empty, "an SBOM is a JSON object");
        }

        var (format, version) = Recognise(root);
        var problems = SbomSchemas.Validate(root, format, version);
        if (problems.Count > 0)
        {
            throw new SbomException(problems);
        }

        var normalised = format == SbomFormat.CycloneDx ? CycloneDxNormaliser.Normalise(root, version, limits) : SpdxNormaliser.Normalise(root, version, limits);
        var cycles = DependencyGraph.Cycles(normalised.Dependencies, max: 5);
        return cycles.Count == 0 ? normalised : normalised with
        {
            Warnings = [.. normalised.Warnings, .. cycles.Select(c => $"dependency cycle: {string.Join(" -> ", c)} (accepted; a cycle is walked once)")],
        };
    }

    /// <summary>Reads a file; a file that cannot be read is refused with the reason.</summary>
    public static SbomDocument ReadFile(string path, SbomLimits? limits = null)
    {
        limits ??= SbomLimits.Default;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw SbomException.Of(string.Empty, $"{path} does not exist");
        }

        if (info.Length > limits.MaxBytes)
        {
            throw SbomException.Of(string.Empty, $"{path} is {info.Length} bytes; at most {limits.MaxBytes} are read");
        }

        return Read(File.ReadAllBytes(path), limits);
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> bytes, SbomLimits limits)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = limits.MaxDepth });
        }
        catch (JsonException exception)
        {
            var reason = exception.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"nested deeper than {limits.MaxDepth} levels"
                : $"not JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})";
            throw SbomException.Of(string.Empty, reason);
        }
    }

    private static (SbomFormat Format, string Version) Recognise(JsonElement root)
    {
        if (root.TryGetProperty("spdxVersion", out var spdx))
        {
            var text = spdx.ValueKind == JsonValueKind.String ? spdx.GetString()! : string.Empty;
            var version = text.StartsWith("SPDX-", StringComparison.Ordinal) ? text[5..] : text;
            return SbomSchemas.SpdxVersions.Contains(version)
                ? (SbomFormat.Spdx, version)
                : throw SbomException.Of("spdxVersion", $"'{Echo(text)}' is not supported; SPDX {string.Join(", ", SbomSchemas.SpdxVersions)} JSON are read");
        }

        if (root.TryGetProperty("bomFormat", out _) || root.TryGetProperty("specVersion", out _))
        {
            // The version picks the schema; the schema then judges bomFormat itself.
            var version = root.TryGetProperty("specVersion", out var spec) && spec.ValueKind == JsonValueKind.String ? spec.GetString()! : string.Empty;
            return SbomSchemas.CycloneDxVersions.Contains(version)
                ? (SbomFormat.CycloneDx, version)
                : throw SbomException.Of("specVersion", $"'{Echo(version)}' is not supported; CycloneDX {string.Join(", ", SbomSchemas.CycloneDxVersions)} JSON are read");
        }

        throw SbomException.Of(string.Empty, "not an SBOM: neither a CycloneDX document (bomFormat, specVersion) nor an SPDX one (spdxVersion)");
    }

    /// <summary>At most 64 printable characters of input, for messages.</summary>
    internal static string Echo(string text)
    {
        var printable = new string(text.Where(c => !char.IsControl(c)).Take(64).ToArray());
        return text.Length > 64 ? printable + "…" : printable;
    }
}
