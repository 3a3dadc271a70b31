using System.Data.Common;
using Rampart.Detection.Export;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Export;

/// <summary>
/// The export outbox, on either provider. Each method is one transaction that holds the outbox's
/// lock from its start (SQLite: BEGIN IMMEDIATE; PostgreSQL: the advisory lock
/// <see cref="StoreLocks.ExportOutbox"/>, released by the commit or rollback): writers on every node
/// run one after another, so the cursor, the rows and the counters never disagree and two nodes
/// enqueueing the same round cannot deadlock on each other's rows. The unique (destination,
/// record_id) makes a repeated round add nothing.
/// </summary>
public class ExportOutbox(IStoreDatabase database) : IExportOutbox
{
    private const string EnsureDestination = "INSERT INTO export_destinations (name) VALUES (@d) ON CONFLICT (name) DO NOTHING";

    // Never backwards: a node that read an older batch than another one enqueued must not rewind
    // the shared cursor (that would enqueue delivered records again).
    private readonly string _moveCursor =
        "INSERT INTO export_cursors (source, position) VALUES (@s, @p) " +
        $"ON CONFLICT (source) DO UPDATE SET position = {database.Dialect.Greatest("export_cursors.position", "excluded.position")}";

    private const string DropOlder = "DELETE FROM export_outbox WHERE destination = @d AND enqueued_ms < @cutoff";
    // Events and checkpoints are bounded apart (@c: the checkpoint rows or the others), so a flood of events never drops a checkpoint.
    private const string OfClass = $"(record_id LIKE '{ExportRecord.CheckpointIdPrefix}%') = @c";
    private const string DropOldest =
        $"DELETE FROM export_outbox WHERE id IN (SELECT id FROM export_outbox WHERE destination = @d AND {OfClass} ORDER BY id LIMIT @excess)";

    private const string CountDrops = "UPDATE export_destinations SET dropped = dropped + @n WHERE name = @d";

    /// <inheritdoc />
    public async Task<long> GetCursorAsync(string source, CancellationToken cancellationToken) =>
        await database.ScalarAsync("SELECT position FROM export_cursors WHERE source = @s", cancellationToken, ("s", source)) is long position ? position : 0;

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, long>> EnqueueAsync(
        string source, long after, long cursor, IReadOnlyList<OutboxEntry> entries, OutboxBounds bounds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginLockedAsync(connection, cancellationToken);

        // Under the outbox lock: a round read before another node's round that followed the same cursor is
        // stale. Its records are queued already, or delivered and deleted (re-adding them would send them twice).
        await using (var read = connection.Command("SELECT position FROM export_cursors WHERE source = @s", transaction).Bind([("s", source)]))
        {
            if (await read.ExecuteScalarAsync(cancellationToken) is long position && position > after)
            {
                await transaction.CommitAsync(cancellationToken);
                return new Dictionary<string, long>(StringComparer.Ordinal);
            }
        }

        var destinations = entries.Select(entry => entry.Destination).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var destination in destinations)
        {
            await RunAsync(connection, transaction, EnsureDestination, cancellationToken, ("d", destination));
        }

        // One batch, ids in the entries' order.
        var enqueued = now.ToUnixMs();
        await database.Dialect.InsertRowsAsync(
            sql => connection.Command(sql, transaction), "export_outbox",
            [
                new("destination", BatchType.Text, i => entries[i].Destination),
                new("record_id", BatchType.Text, i => entries[i].RecordId),
                new("enqueued_ms", BatchType.Integer, _ => enqueued),
                new("payload", BatchType.Text, i => entries[i].Payload),
            ],
            entries.Count, "ON CONFLICT (destination, record_id) DO NOTHING", cancellationToken);

        var drops = await BoundAsync(connection, transaction, destinations, bounds, now, cancellationToken);
        await RunAsync(connection, transaction, _moveCursor, cancellationToken, ("s", source), ("p", cursor));
        await transaction.CommitAsync(cancellationToken);
        return drops;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, long>> ExpireAsync(OutboxBounds bounds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginLockedAsync(connection, cancellationToken);
        var destinations = new List<string>();
        await using (var names = connection.Command("SELECT name FROM export_destinations ORDER BY name", transaction))
        await using (var reader = await names.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                destinations.Add(reader.GetString(0));
            }
        }

        var drops = await BoundAsync(connection, transaction, destinations, bounds, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return drops;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutboxItem>> PeekAsync(string destination, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            "SELECT id, destination, record_id, enqueued_ms, payload FROM export_outbox WHERE destination = @d ORDER BY id LIMIT @limit",
            reader => new OutboxItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), DbCommands.FromUnixMs(reader.GetInt64(3)), reader.GetString(4)),
            cancellationToken, ("d", destination), ("limit", limit));

    /// <inheritdoc />
    public async Task MarkDeliveredAsync(string destination, long throughId, int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginLockedAsync(connection, cancellationToken);

        // Count what is removed, not what the caller sent: rows the bounds dropped meanwhile are counted as drops already.
        var removed = await RunAsync(connection, transaction, "DELETE FROM export_outbox WHERE destination = @d AND id <= @through", cancellationToken,
            ("d", destination), ("through", throughId));
        await RunAsync(connection, transaction,
            "UPDATE export_destinations SET delivered = delivered + @n, failed_attempts = 0, next_attempt_ms = NULL, last_delivered_ms = @now WHERE name = @d",
            cancellationToken, ("d", destination), ("n", (long)Math.Min(removed, count)), ("now", now.ToUnixMs()));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task MarkFailedAsync(string destination, string error, DateTimeOffset nextAttempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginLockedAsync(connection, cancellationToken);
        await RunAsync(connection, transaction, EnsureDestination, cancellationToken, ("d", destination));
        await RunAsync(connection, transaction,
            "UPDATE export_destinations SET failed_attempts = failed_attempts + 1, next_attempt_ms = @next, last_error = @e, last_error_ms = @now WHERE name = @d",
            cancellationToken, ("d", destination), ("next", nextAttempt.ToUnixMs()), ("e", error), ("now", now.ToUnixMs()));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DestinationStatus>> StatusAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            """
            SELECT d.name, (SELECT COUNT(*) FROM export_outbox o WHERE o.destination = d.name), d.delivered, d.dropped,
                   d.failed_attempts, d.last_error, d.last_error_ms, d.last_delivered_ms, d.next_attempt_ms
            FROM export_destinations d ORDER BY d.name
            """,
            reader => new DestinationStatus(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.FromUnixMs(6), reader.FromUnixMs(7), reader.FromUnixMs(8)),
            cancellationToken);

    private async Task<DbTransaction> BeginLockedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockAsync(connection, transaction, StoreLocks.ExportOutbox, cancellationToken);
        return transaction;
    }

    // The bounds, oldest first: first what waited too long, then what exceeds the row limit.
    private static async Task<Dictionary<string, long>> BoundAsync(
        DbConnection connection, DbTransaction transaction, IEnumerable<string> destinations, OutboxBounds bounds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var drops = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var destination in destinations)
        {
            long dropped = await RunAsync(connection, transaction, DropOlder, cancellationToken, ("d", destination), ("cutoff", (now - bounds.MaxAge).ToUnixMs()));
            foreach (var (checkpoints, limit) in new[] { (false, bounds.MaxRows), (true, bounds.MaxCheckpointRows) })
            {
                await using var count = connection.Command($"SELECT COUNT(*) FROM export_outbox WHERE destination = @d AND {OfClass}", transaction)
                    .With("d", destination).With("c", checkpoints);
                var excess = DbCommands.ToInt64(await count.ExecuteScalarAsync(cancellationToken)) - limit;
                if (excess > 0)
                {
                    dropped += await RunAsync(connection, transaction, DropOldest, cancellationToken, ("d", destination), ("c", checkpoints), ("excess", excess));
                }
            }

            if (dropped > 0)
            {
                await RunAsync(connection, transaction, CountDrops, cancellationToken, ("d", destination), ("n", dropped));
                drops[destination] = dropped;
            }
        }

        return drops;
    }

    private static async Task<int> RunAsync(
        DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.Command(sql, transaction).Bind(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>The outbox on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteExportOutbox(Sqlite.SqliteDatabase database) : ExportOutbox(database);
