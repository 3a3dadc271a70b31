using Microsoft.Data.Sqlite;
using Rampart.Fleet.Audit;

namespace Rampart.Storage.Sqlite;

/// <summary>The three shapes every store query takes: run a statement, read rows, read one row.</summary>
internal static class SqliteQueries
{
    /// <summary>Runs one statement in its own (durable) transaction; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this SqliteDatabase database, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Bind(connection.Command(sql), parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row.</summary>
    public static async Task<object?> ScalarAsync(this SqliteDatabase database, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Bind(connection.Command(sql), parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Runs one statement inside the audit writer's transaction; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this IStoreTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Bind(SqliteStoreTransaction.Of(transaction).Command(sql), parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row, read inside the audit writer's transaction.</summary>
    public static async Task<object?> ScalarAsync(this IStoreTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Bind(SqliteStoreTransaction.Of(transaction).Command(sql), parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Every row, mapped, read inside the audit writer's transaction.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this IStoreTransaction transaction, string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Bind(SqliteStoreTransaction.Of(transaction).Command(sql), parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>Every row, mapped.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this SqliteDatabase database, string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Bind(connection.Command(sql), parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>The first row, mapped, or null.</summary>
    public static async Task<T?> QuerySingleAsync<T>(
        this SqliteDatabase database, string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        where T : class =>
        (await database.QueryAsync(sql + " LIMIT 1", map, cancellationToken, parameters)).FirstOrDefault();

    private static SqliteCommand Bind(SqliteCommand command, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        return command;
    }
}
