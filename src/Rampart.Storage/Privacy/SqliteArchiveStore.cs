using Microsoft.Data.Sqlite;
using Rampart.Privacy.Archive;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Privacy;

/// <summary>One region's telemetry archive in a SQLite file of its own (statements shared: <see cref="ArchiveSql"/>).</summary>
public sealed class SqliteArchiveStore : IArchiveStore
{
    private readonly SqliteDatabase _database;

    private SqliteArchiveStore(SqliteDatabase database, string region)
    {
        _database = database;
        Region = region;
    }

    /// <inheritdoc />
    public string Region { get; }

    /// <inheritdoc />
    public string Target => _database.Path;

    /// <summary>Opens (creating and migrating) the archive of <paramref name="region"/> at <paramref name="path"/>.</summary>
    public static async Task<SqliteArchiveStore> OpenAsync(string path, string region, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(path);
        await new MigrationRunner(database, [ArchiveSql.SqliteSchema]).ApplyAsync(cancellationToken);
        ArchiveSql.CheckRegion(await database.QueryAsync(ArchiveSql.SelectRegion, reader => reader.GetString(0), cancellationToken), region, path);
        await database.ExecuteAsync(ArchiveSql.InsertRegion, cancellationToken, ("@r", region));
        return new SqliteArchiveStore(database, region);
    }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyList<SealedMessage> rows, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.Command(ArchiveSql.Insert, transaction);
        var pseudonym = insert.Parameters.Add("@p", SqliteType.Text);
        var device = insert.Parameters.Add("@d", SqliteType.Text);
        var family = insert.Parameters.Add("@f", SqliteType.Text);
        var time = insert.Parameters.Add("@t", SqliteType.Integer);
        var sealedBytes = insert.Parameters.Add("@s", SqliteType.Blob);
        foreach (var row in rows)
        {
            (pseudonym.Value, device.Value, family.Value, time.Value, sealedBytes.Value) = (row.Pseudonym, row.DeviceId, row.Family, row.Time.ToUnixTimeMilliseconds(), row.Sealed);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

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
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
