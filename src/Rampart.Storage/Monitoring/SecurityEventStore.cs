using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Monitoring;

/// <summary>Security events, on either provider.</summary>
public class SecurityEventStore(IStoreDatabase database) : ISecurityEventStore
{
    private const string Columns = "SELECT id, time_ms, kind, severity, device_id, source, details FROM security_events";

    /// <inheritdoc />
    public Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) => AppendManyAsync([securityEvent], cancellationToken);

    /// <inheritdoc />
    public async Task AppendManyAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        // Under the chain lock, like the events of audited changes: every insert into security_events
        // then draws its ids and commits before the next one starts, so ids become visible in order
        // and a reader that continues after the last id it saw (the export cursor) skips none. Without
        // it an id drawn earlier could commit after a later one the reader already passed (PostgreSQL;
        // SQLite's BEGIN IMMEDIATE already orders every writer).
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockAsync(connection, transaction, StoreLocks.AuditChain, cancellationToken);
        await InsertAsync(database.Dialect, sql => connection.Command(sql, transaction), events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Inserts events as one batch on commands from <paramref name="command"/> (the audit writer's transaction, or one of their own); ids follow the batch.</summary>
    internal static Task InsertAsync(ISqlDialect dialect, Func<string, DbCommand> command, IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken) =>
        dialect.InsertRowsAsync(
            command, "security_events",
            [
                new("time_ms", BatchType.Integer, i => events[i].Time.ToUnixMs()),
                new("kind", BatchType.Text, i => events[i].Kind),
                new("severity", BatchType.Text, i => events[i].Severity.ToString().ToLowerInvariant()),
                new("device_id", BatchType.Text, i => events[i].DeviceId),
                new("source", BatchType.Text, i => events[i].Source),
                new("details", BatchType.Text, i => JsonSerializer.Serialize(events[i].Details)),
            ],
            events.Count, string.Empty, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            Columns + " WHERE (CAST(@d AS text) IS NULL OR device_id = @d) ORDER BY id DESC LIMIT @limit", Read, cancellationToken, ("d", deviceId), ("limit", limit));

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            Columns + " WHERE id > @after AND (CAST(@d AS text) IS NULL OR device_id = @d) ORDER BY id LIMIT @limit", Read, cancellationToken,
            ("after", afterId), ("d", deviceId), ("limit", limit));

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM security_events WHERE time_ms < @cutoff", cancellationToken, ("cutoff", cutoff.ToUnixMs()));

    private static StoredSecurityEvent Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        new SecurityEvent(
            DbCommands.FromUnixMs(reader.GetInt64(1)),
            reader.GetString(2),
            Enum.Parse<SecuritySeverity>(reader.GetString(3), ignoreCase: true),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6)) ?? []));
}

/// <summary>Security events on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteSecurityEventStore(Sqlite.SqliteDatabase database) : SecurityEventStore(database);
