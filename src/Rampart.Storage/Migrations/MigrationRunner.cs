using Microsoft.Data.Sqlite;
using Rampart.Storage.Sql;
using Rampart.Storage.Sqlite;

namespace Rampart.Storage.Migrations;

/// <summary>
/// Applies ordered migrations, each in its own transaction together with its row in
/// <c>schema_migrations</c>, so a crash leaves the schema at a whole version. Refuses a database
/// whose applied migrations were edited or that is newer than this build.
/// </summary>
public sealed class MigrationRunner(SqliteDatabase database, IReadOnlyList<Migration> migrations)
{
    /// <summary>Runs the migrations shipped with Rampart.</summary>
    public MigrationRunner(SqliteDatabase database)
        : this(database, EmbeddedMigrations.All)
    {
    }

    /// <summary>The highest version this build knows.</summary>
    public int LatestVersion => migrations.Count == 0 ? 0 : migrations[^1].Version;

    /// <summary>Applies whatever is pending; returns how many were applied.</summary>
    public async Task<int> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var create = connection.Command(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum BLOB NOT NULL, applied_ms INTEGER NOT NULL) STRICT"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = await ReadAppliedAsync(connection, cancellationToken);
        CheckApplied(applied);

        var count = 0;
        foreach (var migration in migrations.Where(m => !applied.ContainsKey(m.Version)))
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                await using (var apply = connection.Command(migration.Sql, transaction))
                {
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = connection.Command(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_ms) VALUES ($v, $n, $c, $t)", transaction)
                    .With("$v", migration.Version).With("$n", migration.Name).With("$c", migration.Checksum)
                    .With("$t", DateTimeOffset.UtcNow.ToUnixMs()))
                {
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            catch (SqliteException exception)
            {
                throw new MigrationException($"migration {migration.Version:D4}_{migration.Name} failed: {exception.Message}", exception);
            }

            count++;
        }

        return count;
    }

    /// <summary>The highest applied version, or 0 for a new database.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations') THEN 1 ELSE 0 END");
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        var applied = await ReadAppliedAsync(connection, cancellationToken);
        return applied.Count == 0 ? 0 : applied.Keys.Max();
    }

    private static async Task<Dictionary<int, byte[]>> ReadAppliedAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, byte[]>();
        await using var select = connection.Command("SELECT version, checksum FROM schema_migrations");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = (byte[])reader.GetValue(1);
        }

        return applied;
    }

    private void CheckApplied(Dictionary<int, byte[]> applied) => MigrationHistory.Check(migrations, applied, database.Path);
}
