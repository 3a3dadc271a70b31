using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Rampart.Fleet.Audit;

namespace Rampart.Storage.Postgres.Audit;

/// <summary>
/// The cluster's one audit chain in PostgreSQL: one row per entry, one per checkpoint. Appends from
/// every node go through <see cref="PostgresStoreTransaction"/>, which orders them under one lock.
/// </summary>
public sealed class PostgresAuditStore(PostgresDatabase database) : IAuditStore
{
    private const string EntryColumns = "seq, time_ms, actor, action, target, outcome, details, prev_hash, hash";
    private const string CheckpointColumns = "seq, entry_hash, time_ms, key_id, signature";

    /// <inheritdoc />
    public async Task<AuditEntry?> GetLastEntryAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {EntryColumns} FROM audit_entries ORDER BY seq DESC LIMIT 1", ReadEntry, cancellationToken)).FirstOrDefault();

    /// <inheritdoc />
    public async Task<AuditCheckpoint?> GetLastCheckpointAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {CheckpointColumns} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1", ReadCheckpoint, cancellationToken)).FirstOrDefault();

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        if (entries.Count > 0)
        {
            // Entries extend the chain only under its lock, with the head read there: the writer's transaction.
            await using var transaction = await PostgresStoreTransaction.BeginAsync(database, DateTimeOffset.UtcNow, cancellationToken);
            await InsertAsync(transaction.Command, entries, checkpoint);
            await transaction.CommitAsync();
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await InsertAsync(sql => connection.Command(sql), entries, checkpoint);
    }

    /// <inheritdoc />
    public async Task<IAuditTransaction> BeginAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await PostgresStoreTransaction.BeginAsync(database, now, cancellationToken);

    /// <summary>
    /// Inserts entries (one statement for the whole batch: one round trip) and an optional
    /// checkpoint. Two nodes may sign a checkpoint at the same entry (each at its stop); they vouch
    /// for the same hash, so the second is dropped.
    /// </summary>
    internal static async Task InsertAsync(Func<string, NpgsqlCommand> command, IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint)
    {
        if (entries.Count > 0)
        {
            await using var insert = command(
                $"INSERT INTO audit_entries ({EntryColumns}) SELECT * FROM unnest(@seq, @time, @actor, @action, @target, @outcome, @details, @prev, @hash)");
            insert.Parameters.Add(new NpgsqlParameter<long[]>("seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = entries.Select(e => e.Sequence).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<long[]>("time", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = entries.Select(e => e.Time.ToUnixMs()).ToArray() });
            AddText(insert, "actor", entries.Select(e => e.Actor));
            AddText(insert, "action", entries.Select(e => e.Action));
            AddText(insert, "target", entries.Select(e => e.Target));
            AddText(insert, "outcome", entries.Select(e => e.Outcome));
            AddText(insert, "details", entries.Select(e => e.Details));
            insert.Parameters.Add(new NpgsqlParameter<byte[][]>("prev", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = entries.Select(e => e.PreviousHash).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<byte[][]>("hash", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = entries.Select(e => e.Hash).ToArray() });
            await insert.ExecuteNonQueryAsync();
        }

        if (checkpoint is not null)
        {
            await using var insert = command(
                $"INSERT INTO audit_checkpoints ({CheckpointColumns}) VALUES (@seq, @hash, @time, @key, @sig) ON CONFLICT (seq) DO NOTHING")
                .With("seq", checkpoint.Sequence).With("hash", checkpoint.EntryHash).With("time", checkpoint.Time.ToUnixMs())
                .With("key", checkpoint.KeyId).With("sig", checkpoint.Signature);
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A text[] parameter for unnest.</summary>
    internal static void AddText(NpgsqlCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values.ToArray() });

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> ReadEntriesAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {EntryColumns} FROM audit_entries WHERE seq >= @from ORDER BY seq").With("from", fromSequence);
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
        await using var command = connection.Command($"SELECT {CheckpointColumns} FROM audit_checkpoints ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadCheckpoint(reader);
        }
    }

    private static AuditEntry ReadEntry(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        PostgresCommands.FromUnixMs(reader.GetInt64(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        (byte[])reader.GetValue(7),
        (byte[])reader.GetValue(8));

    private static AuditCheckpoint ReadCheckpoint(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        (byte[])reader.GetValue(1),
        PostgresCommands.FromUnixMs(reader.GetInt64(2)),
        reader.GetString(3),
        (byte[])reader.GetValue(4));
}
