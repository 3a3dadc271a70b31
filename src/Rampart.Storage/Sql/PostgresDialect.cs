using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Rampart.Storage.Sql;

/// <summary>PostgreSQL's spelling of what <see cref="ISqlDialect"/> covers.</summary>
public sealed class PostgresDialect : ISqlDialect
{
    /// <summary>The one instance (the dialect holds no state).</summary>
    public static PostgresDialect Instance { get; } = new();

    private PostgresDialect()
    {
    }

    /// <inheritdoc />
    public string Provider => StorageProviders.Postgres;

    /// <inheritdoc />
    public string Greatest(string left, string right) => $"GREATEST({left}, {right})";

    /// <inheritdoc />
    public string JsonTextValues(string parameter) => $"SELECT value FROM json_array_elements_text(CAST(@{parameter} AS json))";

    /// <inheritdoc />
    public string SchemaColumnsQuery =>
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position";

    /// <inheritdoc />
    public async Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        // Released by the commit or rollback: a node that dies mid-transaction frees it with its session.
        await using var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        take.Parameters.AddWithValue("key", key);
        await take.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> InsertRowsAsync(
        Func<string, DbCommand> command, string table, IReadOnlyList<BatchColumn> columns, int rows, string onConflict, CancellationToken cancellationToken)
    {
        if (rows == 0)
        {
            return Task.FromResult(0);
        }

        // One statement for the whole batch; unnest keeps the array order and identity values are
        // drawn in row order, so ids follow the batch.
        var names = string.Join(", ", columns.Select(c => c.Name));
        return ArraysAsync(
            command($"INSERT INTO {table} ({names}) SELECT {names} FROM unnest({Parameters(columns)}) WITH ORDINALITY AS b({names}, ordinal) ORDER BY ordinal {onConflict}"),
            columns, rows, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> UpdateRowsAsync(
        Func<string, DbCommand> command, string table, IReadOnlyList<BatchColumn> columns, int rows, string set, string where, CancellationToken cancellationToken) =>
        rows == 0
            ? Task.FromResult(0)
            : ArraysAsync(
                command($"UPDATE {table} SET {BatchColumn.Fill(set, columns, "b.")} FROM unnest({Parameters(columns)}) AS b({string.Join(", ", columns.Select(c => c.Name))}) " +
                    $"WHERE {BatchColumn.Fill(where, columns, "b.")}"),
                columns, rows, cancellationToken);

    private static string Parameters(IReadOnlyList<BatchColumn> columns) => string.Join(", ", columns.Select(c => "@" + c.Name));

    /// <summary>Binds each column's values as one typed array and runs the statement once.</summary>
    private static async Task<int> ArraysAsync(DbCommand statement, IReadOnlyList<BatchColumn> columns, int rows, CancellationToken cancellationToken)
    {
        await using var batch = (NpgsqlCommand)statement;
        foreach (var column in columns)
        {
            batch.Parameters.Add(column.Type switch
            {
                BatchType.Integer => new NpgsqlParameter<long?[]>(column.Name, NpgsqlDbType.Array | NpgsqlDbType.Bigint)
                {
                    TypedValue = Enumerable.Range(0, rows).Select(i => column.Value(i) is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : (long?)null).ToArray(),
                },
                BatchType.Bytes => new NpgsqlParameter<byte[]?[]>(column.Name, NpgsqlDbType.Array | NpgsqlDbType.Bytea)
                {
                    TypedValue = Enumerable.Range(0, rows).Select(i => (byte[]?)column.Value(i)).ToArray(),
                },
                _ => new NpgsqlParameter<string?[]>(column.Name, NpgsqlDbType.Array | NpgsqlDbType.Text)
                {
                    TypedValue = Enumerable.Range(0, rows).Select(i => (string?)column.Value(i)).ToArray(),
                },
            });
        }

        return await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
