using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Posture.Risk;
using Rampart.Updates.Rollouts;

namespace Rampart.WebConsole.Fleet;

/// <summary>The fleet at a glance. A null figure is one this node cannot count (said on the page, not shown as zero).</summary>
/// <param name="Posture">The last fleet audit run's snapshot (null: no run yet, or the viewer is scoped and it is fleet-wide).</param>
/// <param name="PostureVisible">False for a viewer scoped to sites or zones: the score is the whole fleet's.</param>
public sealed record FleetOverview(
    IReadOnlyDictionary<DeviceState, long>? DevicesByState,
    int ConnectedNow,
    double? MessagesPerSecond,
    IReadOnlyDictionary<AlertSeverity, long>? OpenAlerts,
    IReadOnlyList<Rollout>? RunningRollouts,
    long? CertificatesExpiringSoon,
    TimeSpan ExpiryWindow,
    PostureSnapshot? Posture = null,
    bool PostureVisible = false);

/// <summary>The device list's filter (query string) and one page of it.</summary>
/// <param name="Risk">A risk band (low, medium, high, critical) as of the last fleet audit run.</param>
public sealed record DeviceFilter(
    DeviceState? State, string? Search, string? Site, string? Zone, string? After, string? Model = null, string? Tag = null, string? Risk = null)
{
    /// <summary>Devices per page.</summary>
    public const int PageSize = 50;

    /// <summary>The query string of this filter starting after <paramref name="after"/>.</summary>
    public string QueryFor(string? after)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("state", State?.ToString().ToLowerInvariant());
        Add("q", Search);
        Add("site", Site);
        Add("zone", Zone);
        Add("model", Model);
        Add("tag", Tag);
        Add("risk", Risk);
        Add("after", after);
        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }
}

/// <summary>A page of devices and the id to continue after (null: the last page).</summary>
/// <param name="Risks">Each listed device's risk as of the last fleet audit run (absent: not assessed yet); null when the viewer may not see risk.</param>
public sealed record DeviceListing(
    DeviceFilter Filter, IReadOnlyList<Device> Devices, string? Next, IReadOnlySet<string> Connected, IReadOnlyDictionary<string, DeviceRisk>? Risks = null);

/// <summary>A device's MQTT traffic since the node started.</summary>
public sealed record DeviceTraffic(
    bool Connected, long MessagesIn, long BytesIn, long MessagesOut, long BytesOut, long AuthorizationFailures, long LimitHits, long Dropped,
    long Disconnects, IReadOnlyCollection<string> Sources);

/// <summary>Everything the device page shows. A null section is one the viewer lacks the permission for (a null baseline: a retired device, not evaluated).</summary>
public sealed record DeviceDetail(
    Device Device,
    DeviceTraffic Traffic,
    TrafficHour Hour,
    IReadOnlyList<IssuedCertificate>? Certificates,
    IReadOnlyList<StoredSecurityEvent>? Events,
    IReadOnlyList<Alert>? Alerts,
    ReportedFirmware? Firmware,
    Rampart.Posture.Baselines.DeviceBaseline? Baseline,
    IReadOnlyList<(Rollout Rollout, RolloutDevice Device)>? Updates = null);
