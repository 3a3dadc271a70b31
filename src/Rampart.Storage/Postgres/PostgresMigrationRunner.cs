using Npgsql;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Postgres;

/// <summary>
/// Applies PostgreSQL's migration history (<see cref="EmbeddedMigrations.Postgres"/>) under a
/// session advisory lock, so nodes that start together migrate once: the first takes the lock and
/// migrates, the others wait for it, then find nothing pending. Each migration commits in one
/// transaction with its row in <c>schema_migrations</c> (PostgreSQL's DDL is transactional), so a
/// crash leaves the schema at a whole version; a lock held by a crashed node ends with its session.
/// </summary>
public sealed class PostgresMigrationRunner(PostgresDatabase database, IReadOnlyList<Migration> migrations)
{
    /// <summary>The advisory lock key of migrations: "rampart-migrate" folded into 64 bits, fixed forever.</summary>
    public const long MigrationLockKey = 0x72616D706D696772;

    /// <summary>Runs the PostgreSQL migrations shipped with Rampart.</summary>
    public PostgresMigrationRunner(PostgresDatabase database)
        : this(database, EmbeddedMigrations.Postgres)
    {
    }

    /// <summary>The highest version this build knows.</summary>
    public int LatestVersion => migrations.Count == 0 ? 0 : migrations[^1].Version;

    /// <summary>Applies whatever is pending; returns how many this call applied (0 when another node did).</summary>
    public async Task<int> ApplyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var take = connection.Command("SELECT pg_advisory_lock(@key)").With("key", MigrationLockKey))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = connection.Command(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum BYTEA NOT NULL, applied_ms BIGINT NOT NULL)"))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            MigrationHistory.Check(migrations, applied, database.Target);
            var count = 0;
            foreach (var migration in migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                await ApplyOneAsync(connection, migration, cancellationToken);
                count++;
            }

            return count;
        }
        finally
        {
            // Not cancellable: the lock must not outlive this call on a pooled connection.
            await using var release = connection.Command("SELECT pg_advisory_unlock(@key)").With("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The highest applied version, or 0 for a new database.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var exists = connection.Command("SELECT to_regclass('schema_migrations') IS NOT NULL");
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return 0;
        }

        var applied = await ReadAppliedAsync(connection, cancellationToken);
        return applied.Count == 0 ? 0 : applied.Keys.Max();
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var apply = connection.Command(migration.Sql, transaction))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = connection.Command(
                "INSERT INTO schema_migrations (version, name, checksum, applied_ms) VALUES (@v, @n, @c, @t)", transaction)
                .With("v", migration.Version).With("n", migration.Name).With("c", migration.Checksum).With("t", DateTimeOffset.UtcNow.ToUnixMs()))
            {
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException exception)
        {
            throw new MigrationException($"migration {migration.Version:D4}_{migration.Name} failed: {exception.MessageText}", exception);
        }
    }

    private static async Task<Dictionary<int, byte[]>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
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
}
