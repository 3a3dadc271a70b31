using Rampart.SupplyChain.Identifiers;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Versions;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Matching;

/// <summary>
/// The lookup keys a component and an affected entry are matched on: <c>purl:type/namespace/name</c>
/// (exact package identity), <c>cpe:vendor:product</c>, and <c>name:name</c> (a bare name, for records
/// that name no ecosystem we map to a purl type, such as OSS-Fuzz, and CVE products).
/// </summary>
internal static class PackageKeys
{
    public static IEnumerable<string> Of(SbomComponent component)
    {
        var purl = PackageUrl.TryParse(component.Purl);
        if (purl is not null)
        {
            yield return $"purl:{purl.Key}";
            yield return $"name:{purl.Name.ToLowerInvariant()}";
        }

        if (Cpe.TryParse(component.Cpe) is { } cpe)
        {
            yield return $"cpe:{cpe.Key}";
            yield return $"name:{cpe.Product}";
        }

        var name = component.Name.ToLowerInvariant();
        yield return $"name:{name}";
        if (name.LastIndexOf('/') is var slash and > 0)
        {
            yield return $"name:{name[(slash + 1)..]}";
        }
    }

    /// <summary>The key of an OSV entry: its purl, else its ecosystem's purl type and name, else its bare name.</summary>
    public static string? Of(AffectedPackage entry)
    {
        if (PackageUrl.TryParse(entry.Purl) is { } purl)
        {
            return $"purl:{purl.Key}";
        }

        if (entry.Name is not { Length: > 0 } name)
        {
            return null;
        }

        if (VersionSchemes.PurlTypeOf(entry.Ecosystem) is { } type)
        {
            // OSV names to purl namespace/name: Maven group:artifact, npm @scope/name, Go module paths.
            // Distribution packages carry the distribution as namespace (purl-spec: pkg:deb/debian/curl).
            var path = type == "maven" ? name.Replace(':', '/') : name;
            path = (entry.Ecosystem?.Split(':')[0]) switch
            {
                "Debian" => $"debian/{path}",
                "Ubuntu" => $"ubuntu/{path}",
                "Alpine" => $"alpine/{path}",
                _ => path,
            };
            return PackageUrl.TryParse($"pkg:{type}/{path}") is { } mapped ? $"purl:{mapped.Key}" : null;
        }

        return $"name:{name.ToLowerInvariant()}";
    }

    /// <summary>The keys of a CVE entry: its CPEs' vendor:product, its vendor:product, and its product and package names.</summary>
    public static IEnumerable<string> OfCve(AffectedPackage entry)
    {
        foreach (var cpe in entry.Cpes.Select(Cpe.TryParse).OfType<Cpe>())
        {
            yield return $"cpe:{cpe.Key}";
        }

        if (entry.Product is { } product)
        {
            if (entry.Vendor is { } vendor)
            {
                yield return $"cpe:{Normal(vendor)}:{Normal(product)}";
            }

            yield return $"name:{product.ToLowerInvariant()}";
        }

        if (entry.Name is { } package)
        {
            yield return $"name:{package.ToLowerInvariant()}";
        }
    }

    // CPE dictionary spelling: lower case, spaces as underscores.
    private static string Normal(string text) => text.Trim().ToLowerInvariant().Replace(' ', '_');
}
