using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Posture;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Models;
using Rampart.Posture.Risk;
using Rampart.Posture.Zones;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Posture;

/// <summary>
/// Fleet posture's stores on either provider (issue 18): models, posture reports, confinements, audit
/// runs, suppressions, snapshots, and the bulk evidence reads over the other aggregates' tables. Plain SQL
/// with documents as JSON text; the writes run in the audit writer's transaction, so each commits with its
/// audit entry.
/// </summary>
public sealed partial class PostureStore(IStoreDatabase database)
    : IDeviceModelStore, IPostureReportStore, IConfinementStore, IFleetAuditStore, IFleetEvidenceReader
{
    private const string ModelColumns = "SELECT document, admission, added_by, added_ms FROM posture_models";
    private const string ConfinementColumns = "SELECT device_id, reason, confined_by, since_ms, released_ms, released_by, release_reason FROM posture_confinements";

    /// <inheritdoc />
    public async Task<bool> PutAsync(IStoreTransaction transaction, ModelRecord record, CancellationToken cancellationToken)
    {
        var existed = await transaction.ScalarAsync("SELECT 1 FROM posture_models WHERE key = @k", cancellationToken, ("k", record.Model.Key)) is not null;
        await transaction.ExecuteAsync(
            "INSERT INTO posture_models (key, document, admission, admitted, added_by, added_ms) VALUES (@k, @doc, @adm, @ok, @by, @at) " +
            "ON CONFLICT (key) DO UPDATE SET document = excluded.document, admission = excluded.admission, admitted = excluded.admitted, added_by = excluded.added_by, added_ms = excluded.added_ms",
            cancellationToken, ("k", record.Model.Key), ("doc", DeviceModelDocument.ToJson(record.Model)), ("adm", PostureJson.Serialize(record.Admission)),
            ("ok", record.Admission.Admitted ? 1 : 0), ("by", record.AddedBy), ("at", record.Added.ToUnixMs()));
        return !existed;
    }

    /// <inheritdoc />
    public Task<ModelRecord?> GetAsync(string key, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(ModelColumns + " WHERE key = @k", ReadModel, cancellationToken, ("k", key));

    /// <inheritdoc />
    async Task<IReadOnlyList<ModelRecord>> IDeviceModelStore.ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(ModelColumns + " ORDER BY key", ReadModel, cancellationToken);

    /// <inheritdoc />
    public async Task RecordAsync(IReadOnlyList<ReportedPosture> reports, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var report in reports)
        {
            await using var command = connection.Command(
                "INSERT INTO posture_reports (device_id, firmware_version, measurement, listening_ports, reported_ms) VALUES (@d, @fw, @m, @p, @at) " +
                "ON CONFLICT (device_id) DO UPDATE SET firmware_version = excluded.firmware_version, measurement = excluded.measurement, " +
                "listening_ports = excluded.listening_ports, reported_ms = excluded.reported_ms WHERE excluded.reported_ms >= posture_reports.reported_ms", transaction)
                .With("d", report.DeviceId).With("fw", report.FirmwareVersion).With("m", report.Measurement)
                .With("p", JsonSerializer.Serialize(report.ListeningPorts)).With("at", report.Reported.ToUnixMs());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    async Task<IReadOnlyList<ReportedPosture>> IPostureReportStore.ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT device_id, firmware_version, measurement, listening_ports, reported_ms FROM posture_reports", PostureRows.Report, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> TryConfineAsync(IStoreTransaction transaction, Confinement confinement, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "INSERT INTO posture_confinements (device_id, reason, confined_by, since_ms) VALUES (@d, @r, @by, @at) " +
            "ON CONFLICT (device_id) DO UPDATE SET reason = excluded.reason, confined_by = excluded.confined_by, since_ms = excluded.since_ms, " +
            "released_ms = NULL, released_by = NULL, release_reason = NULL WHERE posture_confinements.released_ms IS NOT NULL",
            cancellationToken, ("d", confinement.DeviceId), ("r", confinement.Reason), ("by", confinement.By), ("at", confinement.Since.ToUnixMs())) == 1;

    /// <inheritdoc />
    public async Task<bool> TryReleaseAsync(IStoreTransaction transaction, string deviceId, string by, string reason, DateTimeOffset at, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "UPDATE posture_confinements SET released_ms = @at, released_by = @by, release_reason = @r WHERE device_id = @d AND released_ms IS NULL",
            cancellationToken, ("d", deviceId), ("by", by), ("r", reason), ("at", at.ToUnixMs())) == 1;

    /// <inheritdoc />
    async Task<IReadOnlyList<Confinement>> IConfinementStore.ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(ConfinementColumns + " ORDER BY device_id", PostureRows.Confinement, cancellationToken);

    /// <inheritdoc />
    public async Task<long> AddRunAsync(IStoreTransaction transaction, AuditRun run, CancellationToken cancellationToken)
    {
        var id = (long)(await transaction.ScalarAsync(
            "INSERT INTO fleet_audit_runs (started_ms, finished_ms, document) VALUES (@s, @f, '{}') RETURNING id", cancellationToken,
            ("s", run.Started.ToUnixMs()), ("f", run.Finished.ToUnixMs())))!;
        await transaction.ExecuteAsync("UPDATE fleet_audit_runs SET document = @doc WHERE id = @id", cancellationToken,
            ("doc", PostureJson.Serialize(run with { Id = id })), ("id", id));
        return id;
    }

    /// <inheritdoc />
    public Task<AuditRun?> GetRunAsync(long id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync("SELECT document FROM fleet_audit_runs WHERE id = @id", PostureRows.Run, cancellationToken, ("id", id));

    /// <inheritdoc />
    public Task<AuditRun?> PreviousRunAsync(long id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync("SELECT document FROM fleet_audit_runs WHERE id < @id ORDER BY id DESC", PostureRows.Run, cancellationToken, ("id", id));

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditRun>> ListRunsAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT document FROM fleet_audit_runs ORDER BY id DESC LIMIT @n", PostureRows.Run, cancellationToken, ("n", limit));

    /// <inheritdoc />
    public async Task<long> AddSuppressionAsync(IStoreTransaction transaction, Suppression suppression, CancellationToken cancellationToken) =>
        (long)(await transaction.ScalarAsync(
            "INSERT INTO fleet_audit_suppressions (check_id, resource, until_ms, reason, created_by, created_ms) VALUES (@c, @r, @u, @why, @by, @at) RETURNING id",
            cancellationToken, ("c", suppression.Check), ("r", suppression.Resource), ("u", suppression.Until.ToUnixMs()), ("why", suppression.Reason),
            ("by", suppression.By), ("at", suppression.Created.ToUnixMs())))!;

    /// <inheritdoc />
    public async Task<IReadOnlyList<Suppression>> ActiveSuppressionsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT id, check_id, resource, until_ms, reason, created_by, created_ms FROM fleet_audit_suppressions WHERE until_ms > @now ORDER BY id",
            PostureRows.Suppression, cancellationToken, ("now", now.ToUnixMs()));

    /// <inheritdoc />
    public Task AddSnapshotAsync(IStoreTransaction transaction, PostureSnapshot snapshot, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync("INSERT INTO posture_snapshots (at_ms, document) VALUES (@at, @doc)", cancellationToken,
            ("at", snapshot.At.ToUnixMs()), ("doc", PostureJson.Serialize(snapshot)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<PostureSnapshot>> SnapshotsAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT document FROM posture_snapshots WHERE at_ms >= @since ORDER BY at_ms, id", PostureRows.Snapshot, cancellationToken,
            ("since", since.ToUnixMs()));

    /// <inheritdoc />
    public async Task<IReadOnlyList<CertificateRow>> DeviceCertificatesAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT serial, subject, key_sha256, not_before_ms, not_after_ms, revoked_ms IS NOT NULL, der FROM certificates WHERE profile = 'device'",
            PostureRows.Certificate, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<BootstrapTokenRecord>> UnusedBootstrapTokensAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT id, device_id, created_ms, expires_ms FROM bootstrap_tokens WHERE used_ms IS NULL AND revoked_ms IS NULL AND expires_ms > @now",
            PostureRows.Token, cancellationToken, ("now", now.ToUnixMs()));

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, int>> OpenAlertsAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT device_id, CAST(COUNT(*) AS integer) FROM alerts WHERE state <> 'resolved' GROUP BY device_id",
            reader => (reader.GetString(0), reader.GetInt32(1)), cancellationToken)).ToDictionary(row => row.Item1, row => row.Item2, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventCount>> EventCountsAsync(IReadOnlyList<string> kinds, DateTimeOffset since, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT device_id, kind, CAST(COUNT(*) AS integer) FROM security_events WHERE time_ms >= @since AND device_id IS NOT NULL " +
            $"AND kind IN ({database.Dialect.JsonTextValues("kinds")}) GROUP BY device_id, kind",
            PostureRows.Events, cancellationToken, ("since", since.ToUnixMs()), ("kinds", JsonSerializer.Serialize(kinds)));

    private static ModelRecord ReadModel(DbDataReader reader) => PostureRows.Model(reader);
}
