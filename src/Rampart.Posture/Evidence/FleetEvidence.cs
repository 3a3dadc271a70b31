using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Posture.Models;
using Rampart.Posture.Zones;

namespace Rampart.Posture.Evidence;

/// <summary>Everything Rampart holds about the fleet at one time, read in bulk once for an audit, an evaluation or a report.</summary>
public sealed class FleetEvidence
{
    /// <summary>Events that mean one identity was used from two places at once.</summary>
    public static readonly IReadOnlyList<string> CloneEvents = ["gateway.possible-cloned-identity"];

    /// <summary>Events that mean two connections fought over one client id.</summary>
    public static readonly IReadOnlyList<string> ConflictEvents = ["gateway.session-taken-over"];

    public required DateTimeOffset Now { get; init; }

    /// <summary>Devices that are not retired, in id order.</summary>
    public required IReadOnlyList<Device> Devices { get; init; }

    public required IReadOnlyDictionary<string, IReadOnlyList<CertificateFact>> Certificates { get; init; }

    /// <summary>Devices whose key another subject holds too, or that were seen from two places at once in the last day.</summary>
    public required IReadOnlySet<string> SharedKeys { get; init; }

    public required IReadOnlyDictionary<string, ReportedPosture> Postures { get; init; }

    public required IReadOnlyDictionary<string, FirmwareFact> Firmware { get; init; }

    public required IReadOnlyDictionary<string, int> OpenAlerts { get; init; }

    public required IReadOnlyDictionary<string, ModelRecord> Models { get; init; }

    public required IReadOnlyDictionary<string, Confinement> Confinements { get; init; }

    public required IReadOnlyList<BootstrapTokenRecord> UnusedTokens { get; init; }

    public required IReadOnlyList<OperatorUser> Users { get; init; }

    /// <summary>Clone and conflict events of the last day, per device.</summary>
    public required IReadOnlyList<EventCount> Events { get; init; }

    public required IVulnerabilityExposure Exposure { get; init; }

    /// <summary>The device's model record, or null when it names none or an unregistered one.</summary>
    public ModelRecord? ModelOf(Device device) =>
        device.Model is { } model && Models.TryGetValue(DeviceModel.KeyOf(device.Vendor, model), out var record) ? record : null;

    /// <summary>True when the device is confined now.</summary>
    public bool IsConfined(string deviceId) => Confinements.TryGetValue(deviceId, out var confinement) && confinement.Active;

    /// <summary>The device as baselines judge it.</summary>
    public PostureSubject SubjectOf(Device device) => new(
        device,
        ModelOf(device)?.Model,
        Certificates.GetValueOrDefault(device.Id) ?? [],
        SharedKeys.Contains(device.Id),
        Postures.GetValueOrDefault(device.Id),
        Firmware.GetValueOrDefault(device.Id),
        Exposure.ExposureOf(device.Id, Postures.GetValueOrDefault(device.Id)?.FirmwareVersion ?? Firmware.GetValueOrDefault(device.Id)?.Version ?? device.FirmwareVersion),
        OpenAlerts.GetValueOrDefault(device.Id),
        IsConfined(device.Id),
        Now);
}
