using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Postgres.Audit;

namespace Rampart.Storage.Postgres.Monitoring;

/// <summary>Security events in PostgreSQL.</summary>
public sealed class PostgresSecurityEventStore(PostgresDatabase database) : ISecurityEventStore
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
        // it an id drawn earlier could commit after a later one the reader already passed.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = connection.Command("SELECT pg_advisory_xact_lock(@key)", transaction).With("key", PostgresStoreTransaction.ChainLockKey))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertAsync(sql => connection.Command(sql, transaction), events);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Inserts events in one statement, on a command from <paramref name="newCommand"/> (the audit writer's transaction, or a connection of its own).</summary>
    internal static async Task InsertAsync(Func<string, NpgsqlCommand> newCommand, IReadOnlyList<SecurityEvent> events)
    {
        // unnest keeps the array order, and identity values are drawn in row order: ids follow the batch.
        await using var command = newCommand(
            "INSERT INTO security_events (time_ms, kind, severity, device_id, source, details) " +
            "SELECT t, k, s, d, src, details FROM unnest(@t, @k, @s, @d, @src, @details) WITH ORDINALITY AS e(t, k, s, d, src, details, n) ORDER BY n");
        command.Parameters.Add(new NpgsqlParameter<long[]>("t", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = events.Select(e => e.Time.ToUnixMs()).ToArray() });
        PostgresAuditStore.AddText(command, "k", events.Select(e => e.Kind));
        PostgresAuditStore.AddText(command, "s", events.Select(e => e.Severity.ToString().ToLowerInvariant()));
        PostgresAuditStore.AddText(command, "d", events.Select(e => e.DeviceId));
        PostgresAuditStore.AddText(command, "src", events.Select(e => e.Source));
        PostgresAuditStore.AddText(command, "details", events.Select(e => JsonSerializer.Serialize(e.Details)));
        await command.ExecuteNonQueryAsync();
    }

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

    private static StoredSecurityEvent Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        new SecurityEvent(
            PostgresCommands.FromUnixMs(reader.GetInt64(1)),
            reader.GetString(2),
            Enum.Parse<SecuritySeverity>(reader.GetString(3), ignoreCase: true),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6)) ?? []));
}
