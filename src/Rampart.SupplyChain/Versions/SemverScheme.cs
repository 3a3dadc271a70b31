using Semver;

namespace Rampart.SupplyChain.Versions;

/// <summary>
/// Semantic Versioning 2.0.0 §11 precedence (build metadata ignored), read leniently ("v1.2",
/// "1.2" as 1.2.0) with the Semver library; what still is not semver falls back to
/// <see cref="GenericScheme"/> rather than being dropped.
/// </summary>
public sealed class SemverScheme : IVersionScheme
{
    public static SemverScheme Instance { get; } = new();

    public string Name => "semver";

    public int? Compare(string a, string b) =>
        SemVersion.TryParse(a, SemVersionStyles.Any, out var left) && SemVersion.TryParse(b, SemVersionStyles.Any, out var right)
            ? left.ComparePrecedenceTo(right)
            : GenericScheme.Instance.Compare(a, b);
}
