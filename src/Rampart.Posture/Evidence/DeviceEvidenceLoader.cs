using Rampart.Fleet.Inventory;
using Rampart.Fleet.Updates;
using Rampart.Posture.Models;
using Rampart.Posture.Zones;

namespace Rampart.Posture.Evidence;

/// <summary>
/// Reads the <see cref="FleetEvidence"/> of one device: the device and only what its requirements and
/// risk need (its certificates, whether its key is held elsewhere, its posture and firmware reports, open
/// alerts, clone events, its model and confinement), a handful of indexed queries instead of the fleet.
/// Fleet-wide parts (tokens, operators) are empty: the audit's checks do not run on it.
/// </summary>
public sealed class DeviceEvidenceLoader(
    IDeviceStore devices,
    IRolloutStore rollouts,
    IDeviceEvidenceReader reader,
    IDeviceModelStore models,
    IVulnerabilityExposure exposure,
    TimeProvider time)
{
    /// <summary>The device's evidence, or null when there is no such device or it is retired (retired devices are not evaluated).</summary>
    public async Task<FleetEvidence?> LoadAsync(string deviceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!DeviceIds.CanName(deviceId) || await devices.GetAsync(deviceId, cancellationToken) is not { } device || device.State == DeviceState.Retired)
        {
            return null;
        }

        var facts = (await reader.CertificatesOfAsync(device.Id, cancellationToken)).Select(FleetEvidenceLoader.Fact).OrderByDescending(f => f.NotBefore).ToArray();
        var events = await reader.EventCountsOfAsync(device.Id, [.. FleetEvidence.CloneEvents, .. FleetEvidence.ConflictEvents], now.AddDays(-1), cancellationToken);
        var shared = await reader.KeyHeldElsewhereAsync(device.Id, cancellationToken) || events.Any(e => FleetEvidence.CloneEvents.Contains(e.Kind));
        var firmware = await rollouts.ReportedFirmwareAsync([device.Id], cancellationToken);
        var model = device.Model is { } name ? await models.GetAsync(DeviceModel.KeyOf(device.Vendor, name), cancellationToken) : null;
        var posture = await reader.PostureOfAsync(device.Id, cancellationToken);
        var alerts = await reader.OpenAlertsOfAsync(device.Id, cancellationToken);
        var confinement = await reader.ConfinementOfAsync(device.Id, cancellationToken);
        return new FleetEvidence
        {
            Now = now,
            Devices = [device],
            Certificates = facts.Length == 0 ? new Dictionary<string, IReadOnlyList<CertificateFact>>() : new Dictionary<string, IReadOnlyList<CertificateFact>> { [device.Id] = facts },
            SharedKeys = shared ? new HashSet<string>(StringComparer.Ordinal) { device.Id } : new HashSet<string>(StringComparer.Ordinal),
            Postures = posture is null ? new Dictionary<string, ReportedPosture>() : new Dictionary<string, ReportedPosture> { [device.Id] = posture },
            Firmware = firmware.ToDictionary(p => p.Key, p => new FirmwareFact(p.Value.Version, p.Value.SecurityVersion, p.Value.Reported), StringComparer.Ordinal),
            OpenAlerts = alerts == 0 ? new Dictionary<string, int>() : new Dictionary<string, int> { [device.Id] = alerts },
            Models = model is null ? new Dictionary<string, ModelRecord>() : new Dictionary<string, ModelRecord> { [model.Model.Key] = model },
            Confinements = confinement is null ? new Dictionary<string, Confinement>() : new Dictionary<string, Confinement> { [device.Id] = confinement },
            UnusedTokens = [],
            Users = [],
            Events = events,
            Exposure = exposure,
        };
    }
}
