using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Monitoring;

/// <summary>Security events in SQLite.</summary>
public sealed class SqliteSecurityEventStore(SqliteDatabase database) : ISecurityEventStore
{
    private const string Insert = "INSERT INTO security_events (time_ms, kind, severity, device_id, source, details) VALUES ($t, $k, $s, $d, $src, $details)";
    private const string Columns = "SELECT id, time_ms, kind, severity, device_id, source, details FROM security_events";

    /// <inheritdoc />
    public Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => AppendManyAsync([securityEvent], cancellationToken);

    /// <inheritdoc />
    public async Task AppendManyAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await InsertAsync(connection, transaction, events);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Inserts events inside <paramref name="transaction"/> (the audit writer's, for events that commit with their change).</summary>
    internal static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<SecurityEvent> events)
    {
        await using var command = connection.Command(Insert, transaction);
        var time = command.Parameters.Add("$t", SqliteType.Integer);
        var kind = command.Parameters.Add("$k", SqliteType.Text);
        var severity = command.Parameters.Add("$s", SqliteType.Text);
        var device = command.Parameters.Add("$d", SqliteType.Text);
        var source = command.Parameters.Add("$src", SqliteType.Text);
        var details = command.Parameters.Add("$details", SqliteType.Text);
        foreach (var e in events)
        {
            time.Value = e.Time.ToUnixMs();
            kind.Value = e.Kind;
            severity.Value = e.Severity.ToString().ToLowerInvariant();
            device.Value = (object?)e.DeviceId ?? DBNull.Value;
            source.Value = (object?)e.Source ?? DBNull.Value;
            details.Value = JsonSerializer.Serialize(e.Details);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            Columns + " WHERE ($d IS NULL OR device_id = $d) ORDER BY id DESC LIMIT $limit", Read, cancellationToken, ("$d", deviceId), ("$limit", limit));

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            Columns + " WHERE id > $after AND ($d IS NULL OR device_id = $d) ORDER BY id LIMIT $limit", Read, cancellationToken,
            ("$after", afterId), ("$d", deviceId), ("$limit", limit));

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM security_events WHERE time_ms < $cutoff", cancellationToken, ("$cutoff", cutoff.ToUnixMs()));

    private static StoredSecurityEvent Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        new SecurityEvent(
            SqliteCommands.FromUnixMs(reader.GetInt64(1)),
            reader.GetString(2),
            Enum.Parse<SecuritySeverity>(reader.GetString(3), ignoreCase: true),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6)) ?? []));
}
