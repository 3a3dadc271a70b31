using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Audit;

/// <summary>The audit chain in SQLite: one row per entry, one per checkpoint.</summary>
public sealed class SqliteAuditStore(SqliteDatabase database) : IAuditStore
{
    private const string EntryColumns = "seq, time_ms, actor, action, target, outcome, details, prev_hash, hash";

    /// <inheritdoc />
    public async Task<AuditEntry?> GetLastEntryAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {EntryColumns} FROM audit_entries ORDER BY seq DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadEntry(reader) : null;
    }

    /// <inheritdoc />
    public async Task<AuditCheckpoint?> GetLastCheckpointAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT seq, entry_hash, time_ms, key_id, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadCheckpoint(reader) : null;
    }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await InsertAsync(connection, transaction, entries, checkpoint);

        // synchronous = FULL: the commit returns after the WAL is fsynced.
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IAuditTransaction> BeginAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await SqliteStoreTransaction.BeginAsync(database, now, cancellationToken);

    /// <summary>Inserts entries and an optional checkpoint inside <paramref name="transaction"/>.</summary>
    internal static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint)
    {
        if (entries.Count > 0)
        {
            // One prepared statement for the whole batch.
            await using var insert = connection.Command(
                $"INSERT INTO audit_entries ({EntryColumns}) VALUES ($seq, $time, $actor, $action, $target, $outcome, $details, $prev, $hash)",
                transaction);
            var parameters = new[] { "$seq", "$time", "$actor", "$action", "$target", "$outcome", "$details", "$prev", "$hash" }
                .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name }))
                .ToArray();
            foreach (var entry in entries)
            {
                parameters[0].Value = entry.Sequence;
                parameters[1].Value = entry.Time.ToUnixMs();
                parameters[2].Value = entry.Actor;
                parameters[3].Value = entry.Action;
                parameters[4].Value = entry.Target;
                parameters[5].Value = entry.Outcome;
                parameters[6].Value = entry.Details;
                parameters[7].Value = entry.PreviousHash;
                parameters[8].Value = entry.Hash;
                await insert.ExecuteNonQueryAsync();
            }
        }

        if (checkpoint is not null)
        {
            await using var insert = connection.Command(
                "INSERT INTO audit_checkpoints (seq, entry_hash, time_ms, key_id, signature) VALUES ($seq, $hash, $time, $key, $sig)",
                transaction)
                .With("$seq", checkpoint.Sequence).With("$hash", checkpoint.EntryHash).With("$time", checkpoint.Time.ToUnixMs())
                .With("$key", checkpoint.KeyId).With("$sig", checkpoint.Signature);
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> ReadEntriesAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {EntryColumns} FROM audit_entries WHERE seq >= $from ORDER BY seq")
            .With("$from", fromSequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadEntry(reader);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditCheckpoint> ReadCheckpointsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT seq, entry_hash, time_ms, key_id, signature FROM audit_checkpoints ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadCheckpoint(reader);
        }
    }

    private static AuditEntry ReadEntry(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        SqliteCommands.FromUnixMs(reader.GetInt64(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        (byte[])reader.GetValue(7),
        (byte[])reader.GetValue(8));

    private static AuditCheckpoint ReadCheckpoint(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        (byte[])reader.GetValue(1),
        SqliteCommands.FromUnixMs(reader.GetInt64(2)),
        reader.GetString(3),
        (byte[])reader.GetValue(4));
}
