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
    public async Task<int> InsertRowsAsync(
        Func<string, DbCommand> command, string table, IReadOnlyList<BatchColumn> columns, int rows, string onConflict, CancellationToken cancellationToken)
    {
        if (rows == 0)
        {
            return 0;
        }

        // One statement for the whole batch; unnest keeps the array order and identity values are
        // drawn in row order, so ids follow the batch.
        var names = string.Join(", ", columns.Select(c => c.Name));
        await using var insert = (NpgsqlCommand)command(
            $"INSERT INTO {table} ({names}) SELECT {names} FROM unnest({string.Join(", ", columns.Select(c => "@" + c.Name))}) " +
            $"WITH ORDINALITY AS b({names}, ordinal) ORDER BY ordinal {onConflict}");
        foreach (var column in columns)
        {
            insert.Parameters.Add(column.Type switch
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

        return await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
