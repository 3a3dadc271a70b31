using System.Data.Common;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Audit;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Sqlite;

/// <summary>
/// The audit writer's SQLite transaction (BEGIN IMMEDIATE: the write lock is held from the start, so
/// no other writer interleaves and no upgrade can deadlock). Stores that take an
/// <see cref="IStoreTransaction"/> run their statements on <see cref="Connection"/> inside it.
/// </summary>
internal sealed class SqliteStoreTransaction : IAuditTransaction, ICommandTransaction
{
    // One name is enough: works run one after another, never nested.
    private const string Savepoint = "work";

    private SqliteStoreTransaction(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now)
    {
        Connection = connection;
        Transaction = transaction;
        Now = now;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; }

    /// <inheritdoc />
    public DateTimeOffset Now { get; }

    public static async Task<SqliteStoreTransaction> BeginAsync(SqliteDatabase database, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            // Microsoft.Data.Sqlite begins IMMEDIATE unless asked for a deferred transaction.
            var transaction = connection.BeginTransaction(deferred: false);
            return new SqliteStoreTransaction(connection, transaction, now);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The SQLite transaction behind <paramref name="transaction"/>; any other provider's is a wiring error.</summary>
    public static SqliteStoreTransaction Of(IStoreTransaction transaction) =>
        transaction as SqliteStoreTransaction
        ?? throw new ArgumentException($"a {transaction.GetType().Name} is not a SQLite store transaction", nameof(transaction));

    /// <summary>A command on this transaction.</summary>
    public SqliteCommand Command(string sql) => new(sql, Connection, Transaction);

    /// <inheritdoc />
    public ISqlDialect Dialect => SqliteDialect.Instance;

    /// <inheritdoc />
    DbCommand ICommandTransaction.Command(string sql) => Command(sql);

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
        await AuditStore.InsertAsync(this, entries, checkpoint, CancellationToken.None);
        if (events.Count > 0)
        {
            await SecurityEventStore.InsertAsync(Dialect, Command, events, CancellationToken.None);
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
