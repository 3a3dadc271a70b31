using Npgsql;
using Rampart.Fleet.Audit;

namespace Rampart.Storage.Postgres;

/// <summary>The three shapes every PostgreSQL store query takes: run a statement, read rows, read one row.</summary>
internal static class PostgresQueries
{
    /// <summary>Runs one statement in its own (durable) transaction; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this PostgresDatabase database, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Bind(connection.Command(sql), parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row.</summary>
    public static async Task<object?> ScalarAsync(this PostgresDatabase database, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Bind(connection.Command(sql), parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Runs one statement inside the audit writer's transaction; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this IStoreTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Bind(PostgresStoreTransaction.Of(transaction).Command(sql), parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row, read inside the audit writer's transaction.</summary>
    public static async Task<object?> ScalarAsync(this IStoreTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Bind(PostgresStoreTransaction.Of(transaction).Command(sql), parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Every row, mapped, read inside the audit writer's transaction.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this IStoreTransaction transaction, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Bind(PostgresStoreTransaction.Of(transaction).Command(sql), parameters);
        return await ReadAllAsync(command, map, cancellationToken);
    }

    /// <summary>Every row, mapped.</summary>
    public static async Task<List<T>> QueryAsync<T>(
        this PostgresDatabase database, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Bind(connection.Command(sql), parameters);
        return await ReadAllAsync(command, map, cancellationToken);
    }

    /// <summary>The first row, mapped, or null.</summary>
    public static async Task<T?> QuerySingleAsync<T>(
        this PostgresDatabase database, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        where T : class =>
        (await database.QueryAsync(sql + " LIMIT 1", map, cancellationToken, parameters)).FirstOrDefault();

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static NpgsqlCommand Bind(NpgsqlCommand command, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.With(name, value);
        }

        return command;
    }
}
