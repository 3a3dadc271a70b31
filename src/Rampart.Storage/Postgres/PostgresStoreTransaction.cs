using Npgsql;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Postgres.Audit;
using Rampart.Storage.Postgres.Monitoring;

namespace Rampart.Storage.Postgres;

/// <summary>
/// The audit writer's PostgreSQL transaction. It begins by taking the cluster-wide chain lock
/// (<c>pg_advisory_xact_lock</c>, released by the commit or rollback), so the batches of every
/// node run one after another exactly as SQLite's BEGIN IMMEDIATE orders one node's: the head is
/// read after the lock, each batch extends the chain the previous one left, and a batch's works,
/// entries and events commit together or not at all.
/// </summary>
internal sealed class PostgresStoreTransaction : IAuditTransaction
{
    /// <summary>The advisory lock key of the audit chain: "rampart-audit" folded into 64 bits, fixed forever.</summary>
    public const long ChainLockKey = 0x72616D7061727431;

    // One name is enough: works run one after another, never nested.
    private const string Savepoint = "work";

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
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockChain = connection.Command("SELECT pg_advisory_xact_lock(@key)", transaction).With("key", ChainLockKey))
            {
                await lockChain.ExecuteNonQueryAsync(cancellationToken);
            }

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

    /// <summary>A command on this transaction.</summary>
    public NpgsqlCommand Command(string sql) => Connection.Command(sql, Transaction);

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
    public Task SavepointAsync() => Transaction.SaveAsync(Savepoint);

    /// <inheritdoc />
    public async Task RollbackToSavepointAsync()
    {
        await Transaction.RollbackAsync(Savepoint);
        await Transaction.ReleaseAsync(Savepoint);
    }

    /// <inheritdoc />
    public Task ReleaseSavepointAsync() => Transaction.ReleaseAsync(Savepoint);

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint, IReadOnlyList<SecurityEvent> events)
    {
        await PostgresAuditStore.InsertAsync(Connection, Transaction, entries, checkpoint);
        if (events.Count > 0)
        {
            await PostgresSecurityEventStore.InsertAsync(Connection, Transaction, events);
        }
    }

    /// <inheritdoc />
    public Task CommitAsync() => Transaction.CommitAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
