using Semver;

namespace Rampart.SupplyChain.Versions;

/// <summary>
/// Semantic Versioning 2.0.0 §11 precedence (build metadata ignored), read leniently ("v1.2",
/// "1.2" as 1.2.0) with the Semver library; what still is not semver falls back to
/// <see cref="GenericScheme"/> rather than being dropped. Parsed versions are remembered.
/// </summary>
public sealed class SemverScheme : IVersionScheme
{
    private readonly ParsedVersions<SemVersion?> _parsed = new(text => SemVersion.TryParse(text, SemVersionStyles.Any, out var version) ? version : null);

    public static SemverScheme Instance { get; } = new();

    public string Name => "semver";

    public int? Compare(string a, string b) =>
        _parsed.Get(a) is { } left && _parsed.Get(b) is { } right
            ? left.ComparePrecedenceTo(right)
            : GenericScheme.Instance.Compare(a, b);
}
