using System.Data.Common;
using System.Text.Json;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Detection.Profiles;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Detection;

/// <summary>
/// Alerts and the API's rules document, on either provider (a null filter is cast, so PostgreSQL
/// knows its type). The writes run in the audit writer's transaction, so an alert's change commits
/// with its audit entry.
/// </summary>
public class AlertStore(IStoreDatabase database) : IAlertStore, IRuleDocumentStore
{
    private const string Columns =
        "SELECT id, device_id, detector, severity, state, summary, evidence, first_seen_ms, last_seen_ms, occurrences, suppressed_until_ms, reason, changed_by, changed_ms, response FROM alerts";

    /// <inheritdoc />
    public async Task<Alert?> FindActiveAsync(IStoreTransaction transaction, string deviceId, string detector, CancellationToken cancellationToken) =>
        (await transaction.QueryAsync(Columns + " WHERE device_id = @d AND detector = @det AND state <> 'resolved'", Read, cancellationToken,
            ("d", deviceId), ("det", detector))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<Alert?> GetAsync(IStoreTransaction transaction, long id, CancellationToken cancellationToken) =>
        (await transaction.QueryAsync(Columns + " WHERE id = @id", Read, cancellationToken, ("id", id))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<long> AddAsync(IStoreTransaction transaction, Alert alert, CancellationToken cancellationToken) =>
        (long)(await transaction.ScalarAsync(
            "INSERT INTO alerts (device_id, detector, severity, state, summary, evidence, first_seen_ms, last_seen_ms, occurrences, suppressed_until_ms, reason, changed_by, changed_ms, response) " +
            "VALUES (@d, @det, @sev, @state, @summary, @evidence, @first, @last, @n, @until, @reason, @by, @changed, @response) RETURNING id",
            cancellationToken, Parameters(alert)))!;

    /// <inheritdoc />
    public Task UpdateAsync(IStoreTransaction transaction, Alert alert, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync(
            "UPDATE alerts SET severity = @sev, state = @state, summary = @summary, evidence = @evidence, last_seen_ms = @last, occurrences = @n, " +
            "suppressed_until_ms = @until, reason = @reason, changed_by = @by, changed_ms = @changed, response = @response WHERE id = @id",
            cancellationToken, [.. Parameters(alert), ("id", alert.Id)]);

    /// <inheritdoc />
    public Task<Alert?> GetAsync(long id, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(Columns + " WHERE id = @id", Read, cancellationToken, ("id", id));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Alert>> ListAsync(AlertQuery query, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            Columns + " WHERE (CAST(@state AS text) IS NULL OR state = @state) AND (CAST(@d AS text) IS NULL OR device_id = @d)" +
            " AND (CAST(@before AS bigint) IS NULL OR id < @before)" +
            " AND (CAST(@min AS integer) IS NULL OR CASE severity WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END >= @min) ORDER BY id DESC LIMIT @limit",
            Read, cancellationToken,
            ("state", query.State?.ToString().ToLowerInvariant()), ("d", query.DeviceId), ("before", query.Before),
            ("min", query.MinimumSeverity is { } min ? (int)min : null), ("limit", query.Limit));

    /// <inheritdoc />
    public Task<int> DeleteResolvedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM alerts WHERE state = 'resolved' AND changed_ms < @cutoff", cancellationToken, ("cutoff", cutoff.ToUnixMs()));

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<AlertSeverity, long>> CountActiveAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT severity, COUNT(*) FROM alerts WHERE state <> 'resolved' GROUP BY severity",
            reader => (Severity: Enum.Parse<AlertSeverity>(reader.GetString(0), ignoreCase: true), Count: reader.GetInt64(1)), cancellationToken))
        .ToDictionary(row => row.Severity, row => row.Count);

    /// <inheritdoc />
    async Task<string?> IRuleDocumentStore.GetAsync(CancellationToken cancellationToken) =>
        await database.ScalarAsync("SELECT document FROM detection_rules WHERE id = 1", cancellationToken) as string;

    /// <inheritdoc />
    public Task SetAsync(IStoreTransaction transaction, string document, string updatedBy, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync(
            "INSERT INTO detection_rules (id, document, updated_by, updated_ms) VALUES (1, @doc, @by, @at) " +
            "ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
            cancellationToken, ("doc", document), ("by", updatedBy), ("at", transaction.Now.ToUnixMs()));

    private static (string, object?)[] Parameters(Alert alert) =>
    [
        ("d", alert.DeviceId), ("det", alert.Detector), ("sev", alert.Severity.ToString().ToLowerInvariant()), ("state", alert.State.ToString().ToLowerInvariant()),
        ("summary", alert.Summary), ("evidence", JsonSerializer.Serialize(alert.Evidence)), ("first", alert.FirstSeen.ToUnixMs()), ("last", alert.LastSeen.ToUnixMs()),
        ("n", alert.Occurrences), ("until", alert.SuppressedUntil?.ToUnixMs()), ("reason", alert.Reason), ("by", alert.ChangedBy),
        ("changed", alert.Changed.ToUnixMs()), ("response", alert.Response),
    ];

    private static Alert Read(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
        Enum.Parse<AlertSeverity>(reader.GetString(3), ignoreCase: true), Enum.Parse<AlertState>(reader.GetString(4), ignoreCase: true),
        reader.GetString(5), JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6)) ?? [],
        DbCommands.FromUnixMs(reader.GetInt64(7)), DbCommands.FromUnixMs(reader.GetInt64(8)), reader.GetInt32(9),
        reader.FromUnixMs(10), reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12),
        DbCommands.FromUnixMs(reader.GetInt64(13)), reader.IsDBNull(14) ? null : reader.GetString(14));
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteAlertStore(Sqlite.SqliteDatabase database) : AlertStore(database);
