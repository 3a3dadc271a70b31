using Rampart.SupplyChain.Identifiers;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Versions;

namespace Rampart.SupplyChain.Exposure;

/// <summary>
/// "Which devices run this component in this version range": a component named by purl (type,
/// namespace and name; the version is ignored) or by name, and optionally a range from
/// <see cref="AtLeast"/> (inclusive) to <see cref="Below"/> (exclusive), compared with the purl type's
/// version scheme (generic for a bare name). A component without a version is never in a bounded range.
/// </summary>
public sealed record ComponentQuery(string? Name, string? Purl, string? AtLeast, string? Below)
{
    public bool Matches(SbomComponent component)
    {
        var wanted = PackageUrl.TryParse(Purl);
        var has = PackageUrl.TryParse(component.Purl);
        if (wanted is not null ? has?.Key != wanted.Key : !string.Equals(component.Name, Name, StringComparison.OrdinalIgnoreCase) && !string.Equals(has?.Name, Name, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (AtLeast is null && Below is null)
        {
            return true;
        }

        var version = component.Version ?? has?.Version;
        var scheme = VersionSchemes.ForPurlType(has?.Type ?? wanted?.Type);
        return version is not null
            && (AtLeast is null || scheme.Compare(version, AtLeast) >= 0)
            && (Below is null || scheme.Compare(version, Below) < 0);
    }

    /// <summary>Each device that runs a matching component, with the component and where it came from.</summary>
    public IEnumerable<(DeviceRuns Device, Stores.SbomScope Scope, SbomComponent Component)> DevicesIn(FleetPicture picture) =>
        picture.Devices.SelectMany(d => picture.ComponentsOf(d).Where(c => Matches(c.Component)).Select(c => (d, c.Scope, c.Component)));
}
