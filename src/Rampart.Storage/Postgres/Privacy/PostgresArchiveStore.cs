using Npgsql;
using NpgsqlTypes;
using Rampart.Privacy.Archive;
using Rampart.Storage.Privacy;

namespace Rampart.Storage.Postgres.Privacy;

/// <summary>
/// One region's telemetry archive in PostgreSQL: a schema of its own (its own history and region
/// row), in the node's database or in a database of the region's (statements shared: <see cref="ArchiveSql"/>).
/// </summary>
public sealed class PostgresArchiveStore : IArchiveStore
{
    private readonly PostgresDatabase _database;

    private PostgresArchiveStore(PostgresDatabase database, string region, string target)
    {
        _database = database;
        Region = region;
        Target = target;
    }

    /// <inheritdoc />
    public string Region { get; }

    /// <inheritdoc />
    public string Target { get; }

    /// <summary>Opens (creating and migrating) the archive of <paramref name="region"/> in <paramref name="schema"/> of the database <paramref name="connectionString"/> names.</summary>
    public static async Task<PostgresArchiveStore> OpenAsync(string connectionString, string schema, string region, CancellationToken cancellationToken)
    {
        if (schema.Length is 0 or > 63 || !schema.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || char.IsAsciiDigit(schema[0]))
        {
            throw new ArgumentException($"archive schema '{schema}' is not a lower-case identifier of at most 63 characters (Rampart:Privacy:Archive:Stores:{region}:Schema)", nameof(schema));
        }

        var settings = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema };
        var database = new PostgresDatabase(settings.ConnectionString);
        try
        {
            await database.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {schema}", cancellationToken);
            await new PostgresMigrationRunner(database, [ArchiveSql.PostgresSchema]).ApplyAsync(cancellationToken);
            var target = $"{database.Target}#{schema}";
            ArchiveSql.CheckRegion(await database.QueryAsync(ArchiveSql.SelectRegion, reader => reader.GetString(0), cancellationToken), region, target);
            await database.ExecuteAsync(ArchiveSql.InsertRegion, cancellationToken, ("@r", region));
            return new PostgresArchiveStore(database, region, target);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<SealedMessage> rows, CancellationToken cancellationToken)
    {
        // One round trip per batch: the rows as parallel arrays, unnested by the server.
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var insert = connection.Command(
            "INSERT INTO archive_messages (pseudonym, device_id, family, time_ms, sealed) SELECT * FROM unnest(@p, @d, @f, @t, @s)");
        insert.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Pseudonym).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("d", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.DeviceId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("f", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Family).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.Time.ToUnixTimeMilliseconds()).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rows.Select(r => r.Sealed).ToArray() });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredArchiveRow>> ReadAsync(ArchiveQuery query, CancellationToken cancellationToken)
    {
        var (sql, parameters) = ArchiveSql.Read(query);
        return await _database.QueryAsync(sql, ArchiveSql.Row, cancellationToken, parameters);
    }

    /// <inheritdoc />
    public Task<int> DeleteSubjectAsync(string pseudonym, CancellationToken cancellationToken) =>
        _database.ExecuteAsync(ArchiveSql.DeleteSubject, cancellationToken, ("@p", pseudonym));

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        _database.ExecuteAsync(ArchiveSql.DeleteOlder, cancellationToken, ("@cutoff", cutoff.ToUnixTimeMilliseconds()));

    /// <inheritdoc />
    public async Task<long> CountAsync(string? pseudonym, CancellationToken cancellationToken) =>
        Convert.ToInt64(pseudonym is null
            ? await _database.ScalarAsync(ArchiveSql.Count, cancellationToken)
            : await _database.ScalarAsync(ArchiveSql.CountOfSubject, cancellationToken, ("@p", pseudonym)), System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
