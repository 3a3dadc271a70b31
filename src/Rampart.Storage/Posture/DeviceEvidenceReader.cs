using Rampart.Posture.Evidence;
using Rampart.Posture.Zones;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Posture;

/// <summary>One device's evidence on either provider (<see cref="DeviceEvidenceSql"/>): indexed reads of that device's rows only.</summary>
public sealed class DeviceEvidenceReader(IStoreDatabase database) : IDeviceEvidenceReader
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<CertificateRow>> CertificatesOfAsync(string deviceId, CancellationToken cancellationToken) =>
        await database.QueryAsync(DeviceEvidenceSql.Certificates, PostureRows.Certificate, cancellationToken, ("d", deviceId));

    /// <inheritdoc />
    public async Task<bool> KeyHeldElsewhereAsync(string deviceId, CancellationToken cancellationToken) =>
        await database.ScalarAsync(DeviceEvidenceSql.KeyHeldElsewhere, cancellationToken, ("d", deviceId)) is not null;

    /// <inheritdoc />
    public Task<ReportedPosture?> PostureOfAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(DeviceEvidenceSql.Posture, PostureRows.Report, cancellationToken, ("d", deviceId));

    /// <inheritdoc />
    public async Task<int> OpenAlertsOfAsync(string deviceId, CancellationToken cancellationToken) =>
        DeviceEvidenceSql.Count(await database.ScalarAsync(DeviceEvidenceSql.OpenAlerts, cancellationToken, ("d", deviceId)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventCount>> EventCountsOfAsync(string deviceId, IReadOnlyList<string> kinds, DateTimeOffset since, CancellationToken cancellationToken) =>
        kinds.Count == 0 ? [] : await database.QueryAsync(DeviceEvidenceSql.EventCounts(kinds.Count), DeviceEvidenceSql.Event, cancellationToken,
            DeviceEvidenceSql.EventParameters("", deviceId, kinds, since));

    /// <inheritdoc />
    public Task<Confinement?> ConfinementOfAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(DeviceEvidenceSql.Confinement, PostureRows.Confinement, cancellationToken, ("d", deviceId));
}
