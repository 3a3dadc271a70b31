using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Server.SupplyChain;

/// <summary>One open vulnerability as a device sees it: its severity, the component and scope it comes from, the release that fixes it, and whether CISA's KEV catalog lists it (its date added).</summary>
public sealed record DeviceVulnerability(string Vulnerability, Severity Severity, string Component, string Scope, string? FixedBy, string? KnownExploitedSince = null);

/// <summary>
/// Exposure per device, computed from the per-scope lines without expanding them per device: devices that
/// run the same release and model (a cohort) share one set of open vulnerabilities, so 50,000 devices over
/// 200 releases are 200 sets, not 50,000.
/// </summary>
public sealed class DeviceExposure
{
    private readonly Dictionary<string, Cohort> _byDevice;

    private DeviceExposure(Dictionary<string, Cohort> byDevice, IReadOnlyList<Cohort> cohorts) => (_byDevice, Cohorts) = (byDevice, cohorts);

    /// <summary>The cohorts: devices that run the same scopes, and what is open on them.</summary>
    public IReadOnlyList<Cohort> Cohorts { get; }

    /// <summary>Groups the picture's devices by the scopes they run and gathers each group's open vulnerabilities (the most severe line of each).</summary>
    public static DeviceExposure Of(FleetPicture picture, IReadOnlyList<ExposureItem> items)
    {
        var open = new Dictionary<SbomScope, List<ExposureItem>>();
        foreach (var item in items.Where(i => i.Assessment.Open))
        {
            if (!open.TryGetValue(item.Scope, out var list))
            {
                open[item.Scope] = list = [];
            }

            list.Add(item);
        }

        var cohorts = new Dictionary<(string? Release, string? Model), Cohort>();
        var byDevice = new Dictionary<string, Cohort>(StringComparer.Ordinal);
        foreach (var device in picture.Devices)
        {
            var key = (device.ReleaseId, device.Model);
            if (!cohorts.TryGetValue(key, out var cohort))
            {
                var scopes = new[] { device.ReleaseId is { } r ? SbomScope.Release(r) : null, device.Model is { } m ? SbomScope.Model(m) : null }.OfType<SbomScope>().ToArray();
                var vulnerabilities = new Dictionary<string, DeviceVulnerability>(StringComparer.Ordinal);
                foreach (var item in scopes.SelectMany(s => open.GetValueOrDefault(s) ?? []))
                {
                    var id = item.Assessment.Finding.Vulnerability.Id;
                    if (!vulnerabilities.TryGetValue(id, out var known) || known.Severity < item.Assessment.Severity)
                    {
                        vulnerabilities[id] = new DeviceVulnerability(id, item.Assessment.Severity, item.Assessment.Finding.Component.Name, item.Scope.Key, item.FixedBy,
                            item.Assessment.KnownExploited?.DateAdded);
                    }
                }

                cohort = new Cohort(device.ReleaseId, device.Model, scopes.Any(picture.Sboms.ContainsKey), vulnerabilities, []);
                cohorts[key] = cohort;
            }

            cohort.Devices.Add(device.DeviceId);
            byDevice[device.DeviceId] = cohort;
        }

        return new DeviceExposure(byDevice, [.. cohorts.Values]);
    }

    /// <summary>The cohort a device belongs to; null for a device the picture does not hold (retired, or out of scope).</summary>
    public Cohort? Of(string deviceId) => _byDevice.GetValueOrDefault(deviceId);

    /// <summary>Devices that run the same release and model.</summary>
    /// <param name="Covered">Whether any SBOM describes what they run (without one nothing can be said about them).</param>
    public sealed record Cohort(string? Release, string? Model, bool Covered, IReadOnlyDictionary<string, DeviceVulnerability> Open, List<string> Devices);
}
