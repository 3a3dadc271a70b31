using Rampart.Fleet.Enrollment;

namespace Rampart.Posture.Evidence;

/// <summary>
/// Bulk reads of what other parts of Rampart store, for a whole-fleet audit or evaluation at once (a
/// query per device would not fit 50,000 devices in seconds). Read-only.
/// </summary>
public interface IFleetEvidenceReader
{
    /// <summary>Every device certificate the CA issued.</summary>
    Task<IReadOnlyList<CertificateRow>> DeviceCertificatesAsync(CancellationToken cancellationToken);

    /// <summary>Bootstrap tokens neither used, revoked nor expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<BootstrapTokenRecord>> UnusedBootstrapTokensAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Alerts not resolved, per device.</summary>
    Task<IReadOnlyDictionary<string, int>> OpenAlertsAsync(CancellationToken cancellationToken);

    /// <summary>Security events of <paramref name="kinds"/> since <paramref name="since"/>, counted per device and kind.</summary>
    Task<IReadOnlyList<EventCount>> EventCountsAsync(IReadOnlyList<string> kinds, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>A device certificate as stored.</summary>
public sealed record CertificateRow(string Serial, string Subject, string KeyFingerprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool Revoked, byte[] Der);

/// <summary>How many events of one kind a device had.</summary>
public sealed record EventCount(string DeviceId, string Kind, int Count);
