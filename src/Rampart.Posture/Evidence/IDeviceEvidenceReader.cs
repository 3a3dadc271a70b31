using Rampart.Posture.Zones;

namespace Rampart.Posture.Evidence;

/// <summary>
/// Indexed reads of what Rampart holds about one device, for <c>baseline evaluate --device</c> and the
/// device's risk: the same facts <see cref="IFleetEvidenceReader"/> reads for the whole fleet, without
/// reading the whole fleet (each is one query on an index of its table). Read-only.
/// </summary>
public interface IDeviceEvidenceReader
{
    /// <summary>The device certificates the CA issued to <paramref name="deviceId"/>.</summary>
    Task<IReadOnlyList<CertificateRow>> CertificatesOfAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>True when one of the device's certified keys is certified for another subject too.</summary>
    Task<bool> KeyHeldElsewhereAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>The device's last posture report, or null.</summary>
    Task<ReportedPosture?> PostureOfAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>The device's alerts that are not resolved.</summary>
    Task<int> OpenAlertsOfAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>The device's security events of <paramref name="kinds"/> since <paramref name="since"/>, counted per kind.</summary>
    Task<IReadOnlyList<EventCount>> EventCountsOfAsync(string deviceId, IReadOnlyList<string> kinds, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The device's confinement (active or released), or null.</summary>
    Task<Confinement?> ConfinementOfAsync(string deviceId, CancellationToken cancellationToken);
}
