using System.Data.Common;
using Rampart.Fleet.Audit;

namespace Rampart.Storage.Sql;

/// <summary>
/// The shapes every store query takes, on either provider: run a statement, read a value, read
/// rows, read one row; alone (its own durable transaction) or inside the audit writer's.
/// Parameters are named without prefix and written <c>@name</c> in the SQL, which both
/// Microsoft.Data.Sqlite and Npgsql bind.
/// </summary>
internal static class StoreQueries
{
    /// <summary>Runs one statement in its own (durable) transaction; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this IStoreDatabase database, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(sql).Bind(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row.</summary>
    public static async Task<object?> ScalarAsync(this IStoreDatabase database, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(sql).Bind(parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Every row, mapped.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this IStoreDatabase database, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(sql).Bind(parameters);
        return await command.ReadAllAsync(map, cancellationToken);
    }

    /// <summary>The first row, mapped, or null.</summary>
    public static async Task<T?> QuerySingleAsync<T>(
        this IStoreDatabase database, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        where T : class =>
        (await database.QueryAsync(sql + " LIMIT 1", map, cancellationToken, parameters)).FirstOrDefault();

    /// <summary>One batch insert (<see cref="ISqlDialect.InsertRowsAsync"/>) in its own durable transaction; nothing at all for no rows.</summary>
    public static async Task<int> InsertRowsAsync(
        this IStoreDatabase database, string table, IReadOnlyList<BatchColumn> columns, int rows, string onConflict, CancellationToken cancellationToken)
    {
        if (rows == 0)
        {
            return 0;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await database.Dialect.InsertRowsAsync(sql => connection.Command(sql, transaction), table, columns, rows, onConflict, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    /// <summary>Runs one statement inside the audit writer's transaction; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this IStoreTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = CommandTransactions.Of(transaction).Command(sql).Bind(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row, read inside the audit writer's transaction.</summary>
    public static async Task<object?> ScalarAsync(this IStoreTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = CommandTransactions.Of(transaction).Command(sql).Bind(parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Every row, mapped, read inside the audit writer's transaction.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this IStoreTransaction transaction, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = CommandTransactions.Of(transaction).Command(sql).Bind(parameters);
        return await command.ReadAllAsync(map, cancellationToken);
    }

    /// <summary>The dialect of the transaction's provider.</summary>
    public static ISqlDialect Dialect(this IStoreTransaction transaction) => CommandTransactions.Of(transaction).Dialect;

    /// <summary>Every row of <paramref name="command"/>, mapped.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
