using System.Data.Common;
using System.Runtime.CompilerServices;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Audit;

/// <summary>
/// The audit chain, on either provider: one row per entry, one per checkpoint. Appends go through
/// the provider's audit transaction (<see cref="IStoreDatabase.BeginAuditAsync"/>), which holds the
/// chain's lock: BEGIN IMMEDIATE on SQLite, the cluster-wide advisory lock on PostgreSQL, so the
/// batches of every node extend the chain one after another.
/// </summary>
public class AuditStore(IStoreDatabase database) : IAuditStore
{
    private const string EntryColumns = "seq, time_ms, actor, action, target, outcome, details, prev_hash, hash";
    private const string CheckpointColumns = "seq, entry_hash, time_ms, key_id, signature, ml_dsa_65_signature";

    /// <inheritdoc />
    public async Task<AuditEntry?> GetLastEntryAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {EntryColumns} FROM audit_entries ORDER BY seq DESC LIMIT 1", ReadEntry, cancellationToken)).FirstOrDefault();

    /// <inheritdoc />
    public async Task<AuditCheckpoint?> GetLastCheckpointAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {CheckpointColumns} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1", ReadCheckpoint, cancellationToken)).FirstOrDefault();

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        // Entries extend the chain only under its lock: the writer's transaction. The commit returns
        // once durable (SQLite synchronous = FULL, PostgreSQL synchronous_commit = on).
        await using var transaction = await database.BeginAuditAsync(DateTimeOffset.UtcNow, cancellationToken);
        await InsertAsync(CommandTransactions.Of(transaction), entries, checkpoint, cancellationToken);
        await transaction.CommitAsync();
    }

    /// <inheritdoc />
    public Task<IAuditTransaction> BeginAsync(DateTimeOffset now, CancellationToken cancellationToken) => database.BeginAuditAsync(now, cancellationToken);

    /// <summary>
    /// Inserts entries (one batch: one round trip on PostgreSQL) and an optional checkpoint inside
    /// <paramref name="transaction"/>. Two nodes may sign a checkpoint at the same entry (each at its
    /// stop); they vouch for the same hash, so the second is dropped.
    /// </summary>
    internal static async Task InsertAsync(ICommandTransaction transaction, IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        if (entries.Count > 0)
        {
            await transaction.Dialect.InsertRowsAsync(
                transaction.Command, "audit_entries",
                [
                    new("seq", BatchType.Integer, i => entries[i].Sequence),
                    new("time_ms", BatchType.Integer, i => entries[i].Time.ToUnixMs()),
                    new("actor", BatchType.Text, i => entries[i].Actor),
                    new("action", BatchType.Text, i => entries[i].Action),
                    new("target", BatchType.Text, i => entries[i].Target),
                    new("outcome", BatchType.Text, i => entries[i].Outcome),
                    new("details", BatchType.Text, i => entries[i].Details),
                    new("prev_hash", BatchType.Bytes, i => entries[i].PreviousHash),
                    new("hash", BatchType.Bytes, i => entries[i].Hash),
                ],
                entries.Count, string.Empty, cancellationToken);
        }

        if (checkpoint is not null)
        {
            await using var insert = transaction.Command(
                $"INSERT INTO audit_checkpoints ({CheckpointColumns}) VALUES (@seq, @hash, @time, @key, @sig, @mldsa) ON CONFLICT (seq) DO NOTHING")
                .With("seq", checkpoint.Sequence).With("hash", checkpoint.EntryHash).With("time", checkpoint.Time.ToUnixMs())
                .With("key", checkpoint.KeyId).With("sig", checkpoint.Signature).With("mldsa", checkpoint.MlDsa65Signature);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> ReadEntriesAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
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
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {CheckpointColumns} FROM audit_checkpoints ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadCheckpoint(reader);
        }
    }

    private static AuditEntry ReadEntry(DbDataReader reader) => new(
        reader.GetInt64(0),
        DbCommands.FromUnixMs(reader.GetInt64(1)),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        (byte[])reader.GetValue(7),
        (byte[])reader.GetValue(8));

    private static AuditCheckpoint ReadCheckpoint(DbDataReader reader) => new(
        reader.GetInt64(0),
        (byte[])reader.GetValue(1),
        DbCommands.FromUnixMs(reader.GetInt64(2)),
        reader.GetString(3),
        (byte[])reader.GetValue(4),
        reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5));
}

/// <summary>The audit chain on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteAuditStore(Sqlite.SqliteDatabase database) : AuditStore(database);
