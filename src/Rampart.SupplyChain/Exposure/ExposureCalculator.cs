using Rampart.SupplyChain.Matching;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Exposure;

/// <summary>One vulnerability in one component of one scope (a release or a model's base SBOM): its assessment, the devices that run it, and the newest release that fixes it.</summary>
public sealed record ExposureItem(SbomScope Scope, string? Model, Assessment Assessment, IReadOnlyList<string> Devices, string? FixedBy)
{
    /// <summary>The snapshot key: vulnerability|scope|component.</summary>
    public string Key => $"{Assessment.Finding.Vulnerability.Id}|{Scope.Key}|{Assessment.Finding.Component.Ref}";
}

/// <summary>
/// Exposure of a fleet: 1. every scope's components are matched once (a release's 500 components, not
/// each of its 50,000 devices'), 2. devices are grouped by the scopes they run, 3. for each finding the
/// fixing release is the newest release of the same model whose SBOM does not carry it open.
/// </summary>
public static class ExposureCalculator
{
    public static IReadOnlyList<ExposureItem> Compute(FleetPicture picture, VulnerabilityIndex index, SeverityPolicy policy)
    {
        var models = picture.Releases.ToDictionary(r => r.Id, r => r.Model, StringComparer.Ordinal);
        var devicesByScope = new Dictionary<SbomScope, List<string>>();
        foreach (var device in picture.Devices)
        {
            if (device.ReleaseId is { } release)
            {
                Add(devicesByScope, SbomScope.Release(release), device.DeviceId);
            }

            if (device.Model is { } model)
            {
                Add(devicesByScope, SbomScope.Model(model), device.DeviceId);
            }
        }

        // 1. Each scope's findings, open or closed by VEX.
        var byScope = new Dictionary<SbomScope, IReadOnlyList<Assessment>>();
        foreach (var (scope, components) in picture.Sboms)
        {
            var model = scope.Kind == SbomScopeKind.Model ? scope.Id : models.GetValueOrDefault(scope.Id);
            byScope[scope] = Assessment.Of(components, index, picture.VexFor(scope, model), policy);
        }

        // 3. Which releases of a model leave a vulnerability open, newest first (a set per scope: a lookup, not a scan, per line).
        var openByScope = byScope.ToDictionary(p => p.Key, p => p.Value.Where(a => a.Open).Select(a => a.Finding.Vulnerability.Id).ToHashSet(StringComparer.Ordinal));
        var releasesByModel = picture.Releases.GroupBy(r => r.Model, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Created).ToArray(), StringComparer.Ordinal);
        string? FixedBy(string vulnerability, string? model, SbomScope scope)
        {
            if (model is null || !releasesByModel.TryGetValue(model, out var releases))
            {
                return null;
            }

            foreach (var release in releases)
            {
                var candidate = SbomScope.Release(release.Id);
                if (candidate != scope && openByScope.TryGetValue(candidate, out var open) && !open.Contains(vulnerability))
                {
                    return release.Id;
                }
            }

            return null;
        }

        var items = new List<ExposureItem>();
        foreach (var (scope, assessments) in byScope)
        {
            var model = scope.Kind == SbomScopeKind.Model ? scope.Id : models.GetValueOrDefault(scope.Id);
            var devices = devicesByScope.TryGetValue(scope, out var list) ? list : [];
            foreach (var assessment in assessments)
            {
                // A base-SBOM finding is fixed by no release (releases do not cover it).
                items.Add(new ExposureItem(scope, model, assessment, devices,
                    scope.Kind == SbomScopeKind.Release && assessment.Open ? FixedBy(assessment.Finding.Vulnerability.Id, model, scope) : null));
            }
        }

        return items;
    }

    private static void Add(Dictionary<SbomScope, List<string>> map, SbomScope scope, string device)
    {
        if (!map.TryGetValue(scope, out var list))
        {
            map[scope] = list = [];
        }

        list.Add(device);
    }

    /// <summary>The snapshot of open exposure (what changes raise events about).</summary>
    public static IReadOnlyCollection<ExposureMark> Marks(IEnumerable<ExposureItem> items) =>
        items.Where(i => i.Assessment.Open && i.Devices.Count > 0)
            .Select(i => new ExposureMark(i.Key, i.Assessment.Finding.Vulnerability.Id, i.Assessment.Finding.Component.Name, i.Assessment.Severity.Name(), i.Devices.Count))
            .ToArray();
}
