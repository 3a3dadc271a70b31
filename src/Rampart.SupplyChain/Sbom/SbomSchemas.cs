using System.Collections.Concurrent;
using System.Text.Json;
using Json.Pointer;
using Json.Schema;

namespace Rampart.SupplyChain.Sbom;

/// <summary>
/// The official JSON schemas, shipped as resources (Sbom/Schemas/SOURCE.md) and resolved offline: the
/// CycloneDX BOM schemas <c>$ref</c> <c>spdx.schema.json</c>, <c>jsf-0.82.schema.json</c> (and 1.7 <c>cryptography-defs.schema.json</c>) by their
/// <c>$id</c>, which are registered in a registry of our own that never fetches (so validation cannot
/// reach the network, and no other code's schemas can shadow these).
/// </summary>
public static class SbomSchemas
{
    /// <summary>CycloneDX versions read (1.0 and 1.1 had no JSON form).</summary>
    public static IReadOnlyList<string> CycloneDxVersions { get; } = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

    /// <summary>SPDX versions read.</summary>
    public static IReadOnlyList<string> SpdxVersions { get; } = ["2.2", "2.3"];

    private static readonly Lazy<BuildOptions> Options = new(CreateOptions);
    private static readonly ConcurrentDictionary<string, JsonSchema> Built = new(StringComparer.Ordinal);
    private static readonly Lock BuildLock = new();

    /// <summary>
    /// Problems of <paramref name="document"/> against the schema of <paramref name="format"/> <paramref name="version"/>
    /// (empty when it is valid), the most specific (deepest) location first.
    /// </summary>
    public static IReadOnlyList<SbomProblem> Validate(JsonElement document, SbomFormat format, string version)
    {
        var schema = Schema(format == SbomFormat.CycloneDx ? $"bom-{version}.schema.json" : $"spdx-{version}.schema.json");

        // JSON Schema leaves "format" as an annotation unless asked; the CycloneDX tooling checks it
        // (e.g. metadata.timestamp is date-time), so do we.
        var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
        {
            return [];
        }

        var problems = new List<(int Depth, SbomProblem Problem)>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } errors)
            {
                continue;
            }

            foreach (var (keyword, message) in errors)
            {
                problems.Add((detail.InstanceLocation.SegmentCount, new SbomProblem(PathOf(detail.InstanceLocation), $"{message} ({keyword})")));
            }
        }

        if (problems.Count == 0)
        {
            return [new SbomProblem(string.Empty, "does not match the schema")];
        }

        return problems.OrderByDescending(p => p.Depth).Select(p => p.Problem).Distinct().Take(SbomLimits.MaxProblems).ToArray();
    }

    /// <summary><c>/components/3/purl</c> as <c>components[3].purl</c>.</summary>
    public static string PathOf(JsonPointer pointer)
    {
        var path = new System.Text.StringBuilder();
        for (var i = 0; i < pointer.SegmentCount; i++)
        {
            var segment = pointer[i].ToString();
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                path.Append('[').Append(segment).Append(']');
            }
            else
            {
                path.Append(path.Length == 0 ? string.Empty : ".").Append(segment);
            }
        }

        return path.ToString();
    }

    private static JsonSchema Schema(string file)
    {
        if (Built.TryGetValue(file, out var built))
        {
            return built;
        }

        // Built once, under a lock: GetOrAdd may run its factory twice at once, and the second build
        // registering the same $id in the shared registry throws (seen as a flaky JsonSchemaException).
        lock (BuildLock)
        {
            return Built.GetOrAdd(file, name => JsonSchema.FromText(Resource(name), Options.Value));
        }
    }

    private static BuildOptions CreateOptions()
    {
        // Never fetch a $ref from the network: an unknown reference is a build error here.
        var registry = new SchemaRegistry { Fetch = (uri, _) => throw new InvalidOperationException($"schema {uri} is not shipped with Rampart") };
        var options = new BuildOptions { SchemaRegistry = registry };
        foreach (var dependency in new[] { "spdx.schema.json", "jsf-0.82.schema.json", "cryptography-defs.schema.json" })
        {
            Built[dependency] = JsonSchema.FromText(Resource(dependency), options);
        }

        return options;
    }

    private static string Resource(string name)
    {
        using var stream = typeof(SbomSchemas).Assembly.GetManifestResourceStream($"Rampart.SupplyChain.Sbom.Schemas.{name}")
            ?? throw new InvalidOperationException($"schema resource {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
