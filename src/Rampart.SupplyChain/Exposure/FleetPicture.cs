using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vex;

namespace Rampart.SupplyChain.Exposure;

/// <summary>A device and what it runs: its model and the release it reports as installed (<c>{model}-{version}</c>), if known.</summary>
public sealed record DeviceRuns(string DeviceId, string? Model, string? ReleaseId);

/// <summary>A release as exposure needs it: id, model, version, and when it was made (newest fixes first).</summary>
public sealed record ReleaseInfo(string Id, string Model, string Version, DateTimeOffset Created, bool Production);

/// <summary>
/// What runs where, read once: devices and their installed releases, releases, every stored SBOM
/// (release component lists and per-model base SBOMs) and every VEX statement.
/// </summary>
public sealed record FleetPicture(
    IReadOnlyList<DeviceRuns> Devices,
    IReadOnlyList<ReleaseInfo> Releases,
    IReadOnlyDictionary<SbomScope, IReadOnlyList<SbomComponent>> Sboms,
    IReadOnlyList<ScopedVex> Vex)
{
    /// <summary>
    /// The components a device runs: its installed release's SBOM plus its model's base SBOM.
    /// A device whose release has no SBOM runs only the base components (and is reported as such).
    /// </summary>
    public IEnumerable<(SbomScope Scope, SbomComponent Component)> ComponentsOf(DeviceRuns device)
    {
        var scopes = new List<SbomScope>();
        if (device.ReleaseId is { } release)
        {
            scopes.Add(SbomScope.Release(release));
        }

        if (device.Model is { } model)
        {
            scopes.Add(SbomScope.Model(model));
        }

        return scopes.SelectMany(scope => Sboms.TryGetValue(scope, out var components) ? components.Select(c => (scope, c)) : []);
    }

    /// <summary>The statements given for a scope and, for a release, for its model.</summary>
    public IReadOnlyList<VexStatement> VexFor(SbomScope scope, string? model) =>
        Vex.Where(v => v.Scope == scope || (model is not null && v.Scope == SbomScope.Model(model))).Select(v => v.Statement).ToArray();
}
