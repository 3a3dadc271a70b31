namespace Rampart.SupplyChain.Versions;

/// <summary>Which scheme orders a package's versions: by purl type, OSV ecosystem or CVE versionType.</summary>
public static class VersionSchemes
{
    /// <summary>The scheme of a purl type (purl-spec PURL-TYPES.rst).</summary>
    public static IVersionScheme ForPurlType(string? type) => type switch
    {
        "deb" => DebianScheme.Instance,
        "pypi" => Pep440Scheme.Instance,
        "npm" or "cargo" or "golang" or "nuget" or "hex" or "composer" or "swift" or "pub" => SemverScheme.Instance,
        _ => GenericScheme.Instance,
    };

    /// <summary>The scheme of an OSV ecosystem (OSV schema §"affected[].package", ecosystem list).</summary>
    public static IVersionScheme ForEcosystem(string? ecosystem) => (ecosystem?.Split(':')[0]) switch
    {
        "Debian" or "Ubuntu" => DebianScheme.Instance,
        "PyPI" => Pep440Scheme.Instance,
        "npm" or "crates.io" or "Go" or "NuGet" or "Hex" or "Packagist" or "Pub" or "SwiftURL" => SemverScheme.Instance,
        _ => GenericScheme.Instance,
    };

    /// <summary>The scheme a CVE JSON 5 <c>versionType</c> names (semver, python, custom, …).</summary>
    public static IVersionScheme ForVersionType(string? versionType) => versionType?.ToLowerInvariant() switch
    {
        "semver" => SemverScheme.Instance,
        "python" or "pypi" or "pep440" => Pep440Scheme.Instance,
        "deb" or "debian" or "dpkg" => DebianScheme.Instance,
        _ => GenericScheme.Instance,
    };

    /// <summary>The purl type an OSV ecosystem's packages have, for matching; null when there is none.</summary>
    public static string? PurlTypeOf(string? ecosystem) => (ecosystem?.Split(':')[0]) switch
    {
        "Debian" or "Ubuntu" => "deb",
        "PyPI" => "pypi",
        "npm" => "npm",
        "crates.io" => "cargo",
        "Go" => "golang",
        "NuGet" => "nuget",
        "Maven" => "maven",
        "RubyGems" => "gem",
        "Packagist" => "composer",
        "Hex" => "hex",
        "Pub" => "pub",
        "Alpine" => "apk",
        _ => null,
    };
}
