using System.Text.Json;

namespace Rampart.SupplyChain.Sbom;

/// <summary>
/// SPDX 2.2/2.3 JSON to the normalised model: each <c>packages[]</c> entry is a component (purl and
/// CPE from <c>externalRefs</c>, SPDX 2.3 §7.21), <c>relationships[]</c> of the dependency kinds
/// (§11.1: DEPENDS_ON, and the *_DEPENDENCY_OF family reversed) are the edges. SPDXIDs are unique
/// within a document (§3.2, §7.2); a duplicate is refused.
/// </summary>
internal static class SpdxNormaliser
{
    private static readonly HashSet<string> DependencyOf = new(StringComparer.Ordinal)
    {
        "DEPENDENCY_OF", "BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF",
    };

    public static SbomDocument Normalise(JsonElement root, string version, SbomLimits limits)
    {
        var components = new List<SbomComponent>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<SbomProblem>();
        var index = 0;
        foreach (var package in root.Items("packages"))
        {
            if (components.Count >= limits.MaxComponents)
            {
                throw SbomException.Of("packages", $"more than {limits.MaxComponents} packages");
            }

            var id = package.Text("SPDXID") ?? $"#packages[{index}]";
            if (!seen.TryAdd(id, index))
            {
                problems.Add(new SbomProblem($"packages[{index}].SPDXID", $"'{SbomReader.Echo(id)}' is already the SPDXID of packages[{seen[id]}]"));
            }

            components.Add(Component(package, id));
            index++;
        }

        if (problems.Count > 0)
        {
            throw new SbomException(problems.Take(SbomLimits.MaxProblems).ToArray());
        }

        var dependencies = new List<SbomDependency>();
        foreach (var relationship in root.Items("relationships"))
        {
            var (a, kind, b) = (relationship.Text("spdxElementId"), relationship.Text("relationshipType"), relationship.Text("relatedSpdxElement"));
            if (a is null || b is null)
            {
                continue;
            }

            if (kind == "DEPENDS_ON")
            {
                dependencies.Add(new SbomDependency(a, b));
            }
            else if (kind is not null && DependencyOf.Contains(kind))
            {
                dependencies.Add(new SbomDependency(b, a));
            }

            if (dependencies.Count > limits.MaxDependencies)
            {
                throw SbomException.Of("relationships", $"more than {limits.MaxDependencies} dependency relationships");
            }
        }

        return new SbomDocument(SbomFormat.Spdx, version, root.Text("name"), components, dependencies, []);
    }

    private static SbomComponent Component(JsonElement package, string id)
    {
        string? purl = null, cpe = null;
        foreach (var reference in package.Items("externalRefs"))
        {
            var type = reference.Text("referenceType");
            var locator = reference.Text("referenceLocator");
            if (type == "purl")
            {
                purl ??= locator;
            }
            else if (type is "cpe23Type" or "cpe22Type")
            {
                cpe ??= locator;
            }
        }

        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var checksum in package.Items("checksums"))
        {
            if (checksum.Text("algorithm") is { } algorithm && checksum.Text("checksumValue") is { } value)
            {
                hashes[HashName(algorithm)] = value.ToLowerInvariant();
            }
        }

        var licences = new[] { package.Text("licenseConcluded"), package.Text("licenseDeclared") }
            .Where(l => l is not null and not "NOASSERTION" and not "NONE").Select(l => l!).Distinct(StringComparer.Ordinal).ToArray();

        // §7.5: "Organization: name (email)" / "Person: …" / NOASSERTION.
        var supplier = package.Text("supplier") is { } text && text != "NOASSERTION" ? text[(text.IndexOf(':') + 1)..].Trim() : null;
        return new SbomComponent(id, package.Text("name") ?? string.Empty, package.Text("versionInfo"), purl, cpe, hashes, supplier, licences);
    }

    // SPDX spells SHA256, CycloneDX SHA-256: one spelling in the model.
    private static string HashName(string algorithm) => algorithm.ToUpperInvariant() switch
    {
        "SHA1" => "SHA-1",
        "SHA224" => "SHA-224",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
        "SHA3-256" => "SHA3-256",
        var other => other,
    };
}
