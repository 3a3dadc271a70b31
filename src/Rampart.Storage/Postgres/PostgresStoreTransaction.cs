using System.Data.Common;
using System.Text;
using Npgsql;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Audit;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Postgres;

/// <summary>
/// The audit writer's PostgreSQL transaction. It begins by taking the cluster-wide chain lock
/// (<c>pg_advisory_xact_lock</c>, released by the commit or rollback), so the batches of every
/// node run one after another exactly as SQLite's BEGIN IMMEDIATE orders one node's: the head is
/// read after the lock, each batch extends the chain the previous one left, and a batch's works,
/// entries and events commit together or not at all.
/// <para>
/// The batch runs on one writer, so every round trip counts: the lock, each work's SAVEPOINT and
/// RELEASE are not sent on their own but in front of the next statement (one round trip; in READ
/// COMMITTED each statement of it still takes its own snapshot, so what follows the lock sees every
/// batch committed before it). A savepoint no statement followed is dropped unsent.
/// </para>
/// </summary>
internal sealed class PostgresStoreTransaction : IAuditTransaction, ICommandTransaction
{
    // One name is enough: works run one after another, never nested.
    private const string Savepoint = "SAVEPOINT work; ";

    // A DO block returns no rows, so the statement it precedes still answers first.
    private static readonly string LockChain = $"DO $$BEGIN PERFORM pg_advisory_xact_lock({StoreLocks.AuditChain}); END$$; ";

    private readonly StringBuilder _pending = new(LockChain);
    private int _savepointAt = -1;

    private PostgresStoreTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now)
    {
        Connection = connection;
        Transaction = transaction;
        Now = now;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    /// <inheritdoc />
    public DateTimeOffset Now { get; }

    public static async Task<PostgresStoreTransaction> BeginAsync(PostgresDatabase database, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            // Npgsql sends BEGIN in front of the first statement; the lock follows it there.
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new PostgresStoreTransaction(connection, transaction, now);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The PostgreSQL transaction behind <paramref name="transaction"/>; any other provider's is a wiring error.</summary>
    public static PostgresStoreTransaction Of(IStoreTransaction transaction) =>
        transaction as PostgresStoreTransaction
        ?? throw new ArgumentException($"a {transaction.GetType().Name} is not a PostgreSQL store transaction", nameof(transaction));

    /// <summary>A command on this transaction, carrying whatever waits to be sent in front of it.</summary>
    public NpgsqlCommand Command(string sql)
    {
        if (_pending.Length == 0)
        {
            return new NpgsqlCommand(sql, Connection, Transaction);
        }

        var text = _pending.Append(sql).ToString();
        _pending.Clear();
        _savepointAt = -1;
        return new NpgsqlCommand(text, Connection, Transaction);
    }

    /// <inheritdoc />
    public ISqlDialect Dialect => PostgresDialect.Instance;

    /// <inheritdoc />
    DbCommand ICommandTransaction.Command(string sql) => Command(sql);

    /// <inheritdoc />
    public async Task<AuditChainHead?> ReadHeadAsync()
    {
        // READ COMMITTED: this statement's snapshot is taken after the lock, so it sees every batch
        // committed before (theirs released the lock only by committing).
        await using var command = Command(
            "SELECT (SELECT seq FROM audit_entries ORDER BY seq DESC LIMIT 1), (SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1), " +
            "(SELECT coalesce(max(seq), 0) FROM audit_checkpoints)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.IsDBNull(0)
            ? new AuditChainHead(0, AuditEntry.GenesisHash.ToArray(), reader.GetInt64(2))
            : new AuditChainHead(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetInt64(2));
    }

    /// <inheritdoc />
    public Task SavepointAsync()
    {
        _savepointAt = _pending.Length;
        _pending.Append(Savepoint);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task RollbackToSavepointAsync()
    {
        if (DropUnsentSavepoint())
        {
            return;
        }

        await using var rollback = Command("ROLLBACK TO SAVEPOINT work; RELEASE SAVEPOINT work");
        await rollback.ExecuteNonQueryAsync();
    }

    /// <inheritdoc />
    public Task ReleaseSavepointAsync()
    {
        if (!DropUnsentSavepoint())
        {
            _pending.Append("RELEASE SAVEPOINT work; ");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, IReadOnlyList<SecurityEvent> events)
    {
        await AuditStore.InsertAsync(this, entries, checkpoint, CancellationToken.None);
        if (events.Count > 0)
        {
            await SecurityEventStore.InsertAsync(Dialect, Command, events, CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public async Task CommitAsync()
    {
        if (_pending.Length > 0)
        {
            // A RELEASE (or the lock) that no statement carried yet: inside the transaction, before COMMIT.
            await using var flush = Command("SELECT 1");
            await flush.ExecuteNonQueryAsync();
        }

        await Transaction.CommitAsync();
    }

    /// <summary>True when the current savepoint was never sent (no statement followed it): then it is simply forgotten.</summary>
    private bool DropUnsentSavepoint()
    {
        if (_savepointAt < 0)
        {
            return false;
        }

        _pending.Length = _savepointAt;
        _savepointAt = -1;
        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
