using Npgsql;
using Rampart.Privacy.Archive;
using Rampart.Storage.Migrations;
using Rampart.Storage.Postgres;
using Rampart.Storage.Sql;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Privacy;

/// <summary>
/// One region's telemetry archive (statements: <see cref="ArchiveSql"/>), on either provider: a SQLite
/// file of its own, or a PostgreSQL schema of its own (its own history and region row) in the node's
/// database or in a database of the region's. A store records its region and refuses to open as another's.
/// </summary>
public sealed class ArchiveStore : IArchiveStore
{
    private readonly IStoreDatabase _database;
    private readonly Func<ValueTask> _dispose;

    private ArchiveStore(IStoreDatabase database, string region, string target, Func<ValueTask> dispose)
    {
        _database = database;
        _dispose = dispose;
        Region = region;
        Target = target;
    }

    /// <inheritdoc />
    public string Region { get; }

    /// <inheritdoc />
    public string Target { get; }

    /// <summary>Opens (creating and migrating) the archive of <paramref name="region"/> in the SQLite file <paramref name="path"/>.</summary>
    public static async Task<ArchiveStore> OpenSqliteAsync(string path, string region, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(path);
        await new MigrationRunner(database, [ArchiveSql.SqliteSchema]).ApplyAsync(cancellationToken);
        return await ClaimAsync(database, region, path, () => ValueTask.CompletedTask, cancellationToken);
    }

    /// <summary>Opens (creating and migrating) the archive of <paramref name="region"/> in <paramref name="schema"/> of the database <paramref name="connectionString"/> names.</summary>
    public static async Task<ArchiveStore> OpenPostgresAsync(string connectionString, string schema, string region, CancellationToken cancellationToken)
    {
        // The schema is spliced into CREATE SCHEMA and the search path, so only a plain identifier passes.
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
            return await ClaimAsync(database, region, $"{database.Target}#{schema}", database.DisposeAsync, cancellationToken);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static async Task<ArchiveStore> ClaimAsync(IStoreDatabase database, string region, string target, Func<ValueTask> dispose, CancellationToken cancellationToken)
    {
        ArchiveSql.CheckRegion(await database.QueryAsync(ArchiveSql.SelectRegion, reader => reader.GetString(0), cancellationToken), region, target);
        await database.ExecuteAsync(ArchiveSql.InsertRegion, cancellationToken, ("r", region));
        return new ArchiveStore(database, region, target, dispose);
    }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<SealedMessage> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await _database.Dialect.InsertRowsAsync(
            sql => connection.Command(sql, transaction), "archive_messages",
            [
                new("pseudonym", BatchType.Text, i => rows[i].Pseudonym),
                new("device_id", BatchType.Text, i => rows[i].DeviceId),
                new("family", BatchType.Text, i => rows[i].Family),
                new("time_ms", BatchType.Integer, i => rows[i].Time.ToUnixTimeMilliseconds()),
                new("sealed", BatchType.Bytes, i => rows[i].Sealed),
            ],
            rows.Count, string.Empty, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredArchiveRow>> ReadAsync(ArchiveQuery query, CancellationToken cancellationToken)
    {
        var (sql, parameters) = ArchiveSql.Read(query);
        return await _database.QueryAsync(sql, ArchiveSql.Row, cancellationToken, parameters);
    }

    /// <inheritdoc />
    public Task<int> DeleteSubjectAsync(string pseudonym, CancellationToken cancellationToken) =>
        _database.ExecuteAsync(ArchiveSql.DeleteSubject, cancellationToken, ("p", pseudonym));

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        _database.ExecuteAsync(ArchiveSql.DeleteOlder, cancellationToken, ("cutoff", cutoff.ToUnixTimeMilliseconds()));

    /// <inheritdoc />
    public async Task<long> CountAsync(string? pseudonym, CancellationToken cancellationToken) =>
        DbCommands.ToInt64(pseudonym is null
            ? await _database.ScalarAsync(ArchiveSql.Count, cancellationToken)
            : await _database.ScalarAsync(ArchiveSql.CountOfSubject, cancellationToken, ("p", pseudonym)));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dispose();
}
