using System.Text.Json;

namespace Rampart.SupplyChain.Sbom;

/// <summary>
/// CycloneDX (1.2–1.6) to the normalised model: <c>components[]</c> and their nested
/// <c>components[]</c> flattened, <c>dependencies[]</c> as edges. CycloneDX §"bom-ref": a reference
/// is unique within the BOM, which the schema cannot check — a duplicate is refused here.
/// </summary>
internal static class CycloneDxNormaliser
{
    public static SbomDocument Normalise(JsonElement root, string version, SbomLimits limits)
    {
        var components = new List<SbomComponent>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal); // bom-ref -> path where first defined
        var problems = new List<SbomProblem>();
        var subject = root.Object("metadata")?.Object("component");
        if (subject is { } metadataComponent && metadataComponent.Text("bom-ref") is { } subjectRef)
        {
            seen[subjectRef] = "metadata.component";
        }

        // Nested components walked with an explicit stack, in document order.
        var pending = new Stack<(JsonElement Element, string Path)>();
        Push(pending, root, string.Empty);
        while (pending.Count > 0)
        {
            var (element, path) = pending.Pop();
            if (components.Count >= limits.MaxComponents)
            {
                throw SbomException.Of("components", $"more than {limits.MaxComponents} components");
            }

            var reference = element.Text("bom-ref");
            if (reference is not null && !seen.TryAdd(reference, path))
            {
                problems.Add(new SbomProblem($"{path}.bom-ref", $"'{SbomReader.Echo(reference)}' is already the bom-ref of {seen[reference]}"));
            }

            components.Add(Component(element, reference ?? $"#{path}"));
            Push(pending, element, path + ".");
        }

        foreach (var service in root.Items("services").Select((s, i) => (s, i)))
        {
            if (service.s.Text("bom-ref") is { } serviceRef && !seen.TryAdd(serviceRef, $"services[{service.i}]"))
            {
                problems.Add(new SbomProblem($"services[{service.i}].bom-ref", $"'{SbomReader.Echo(serviceRef)}' is already the bom-ref of {seen[serviceRef]}"));
            }
        }

        var dependencies = new List<SbomDependency>();
        var warnings = new List<string>();
        var index = 0;
        foreach (var dependency in root.Items("dependencies"))
        {
            var from = dependency.Text("ref") ?? string.Empty;
            if (!seen.ContainsKey(from))
            {
                warnings.Add($"dependencies[{index}].ref: '{SbomReader.Echo(from)}' names no component (ignored)");
            }

            foreach (var to in dependency.Items("dependsOn"))
            {
                var target = to.ValueKind == JsonValueKind.String ? to.GetString()! : string.Empty;
                dependencies.Add(new SbomDependency(from, target));
                if (dependencies.Count > limits.MaxDependencies)
                {
                    throw SbomException.Of("dependencies", $"more than {limits.MaxDependencies} dependency edges");
                }
            }

            index++;
        }

        if (problems.Count > 0)
        {
            throw new SbomException(problems.Take(SbomLimits.MaxProblems).ToArray());
        }

        var name = subject?.Text("name") is { } subjectName ? subject.Value.Text("version") is { } subjectVersion ? $"{subjectName} {subjectVersion}" : subjectName : null;
        return new SbomDocument(SbomFormat.CycloneDx, version, name, components, dependencies, warnings.Take(SbomLimits.MaxProblems).ToArray());
    }

    private static void Push(Stack<(JsonElement, string)> pending, JsonElement parent, string prefix)
    {
        var children = parent.Items("components").ToArray();
        for (var i = children.Length - 1; i >= 0; i--)
        {
            pending.Push((children[i], $"{prefix}components[{i}]"));
        }
    }

    private static SbomComponent Component(JsonElement element, string reference)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var hash in element.Items("hashes"))
        {
            if (hash.Text("alg") is { } alg && hash.Text("content") is { } content)
            {
                hashes[alg.ToUpperInvariant()] = content.ToLowerInvariant();
            }
        }

        var licences = new List<string>();
        foreach (var choice in element.Items("licenses"))
        {
            if (choice.Text("expression") is { } expression)
            {
                licences.Add(expression);
            }
            else if (choice.Object("license") is { } licence && (licence.Text("id") ?? licence.Text("name")) is { } id)
            {
                licences.Add(id);
            }
        }

        var supplier = element.Object("supplier")?.Text("name") ?? element.Object("manufacturer")?.Text("name") ?? element.Text("publisher") ?? element.Text("author");
        var group = element.Text("group");
        var name = element.Text("name") ?? string.Empty;
        return new SbomComponent(reference, string.IsNullOrEmpty(group) ? name : $"{group}/{name}", element.Text("version"), element.Text("purl"), element.Text("cpe"),
            hashes, supplier, licences);
    }
}
