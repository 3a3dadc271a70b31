using Npgsql;
using Rampart.Storage.Migrations;
using Rampart.Storage.Postgres;
using Rampart.Testing.Servers;

namespace Rampart.Storage.Tests.Postgres;

/// <summary>PostgreSQL's own migration history, applied under the advisory lock.</summary>
public sealed class PostgresMigrationTests : IAsyncLifetime
{
    private string _connectionString = string.Empty;

    public async Task InitializeAsync() => _connectionString = await PostgresServer.NewDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_new_database_gets_every_shipped_migration_in_order_and_applying_again_changes_nothing()
    {
        await using var database = new PostgresDatabase(_connectionString);
        var runner = new PostgresMigrationRunner(database);

        Assert.Equal(EmbeddedMigrations.Postgres.Count, await runner.ApplyAsync());
        Assert.Equal(0, await runner.ApplyAsync());
        Assert.Equal(runner.LatestVersion, await runner.CurrentVersionAsync());

        // The same version numbers as SQLite's history: one schema change, one file in each.
        Assert.Equal(EmbeddedMigrations.All.Select(m => m.Version).Take(EmbeddedMigrations.Postgres.Count), EmbeddedMigrations.Postgres.Select(m => m.Version));
    }

    [Fact]
    public void Each_provider_loads_only_its_own_history_and_sqlite_keeps_its_resource_names()
    {
        // Existing SQLite data directories recorded these versions and checksums: the SQLite history
        // must stay exactly the files in Migrations/, with no PostgreSQL file joining it.
        Assert.All(EmbeddedMigrations.All, m => Assert.DoesNotContain("BYTEA", m.Sql, StringComparison.Ordinal));
        Assert.All(EmbeddedMigrations.Postgres, m => Assert.DoesNotContain("STRICT", m.Sql, StringComparison.Ordinal));
        Assert.Contains(typeof(EmbeddedMigrations).Assembly.GetManifestResourceNames(), name => name == "Rampart.Storage.Migrations.0001_foundation.sql");
        // Each history is exactly its own folder's files (a migration whose SQL is portable may be
        // byte-identical in both folders; what matters is that neither history reads the other's).
        var resources = typeof(EmbeddedMigrations).Assembly.GetManifestResourceNames();
        Assert.Equal(resources.Count(name => name.StartsWith("Rampart.Storage.Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal)), EmbeddedMigrations.All.Count);
        Assert.Equal(resources.Count(name => name.StartsWith("Rampart.Storage.Postgres.Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal)), EmbeddedMigrations.Postgres.Count);
        Assert.Equal(EmbeddedMigrations.All.Select(m => m.Version), EmbeddedMigrations.Postgres.Select(m => m.Version));
    }

    [Fact]
    public async Task Three_nodes_starting_together_migrate_once()
    {
        // Three pools (three nodes' connections) race; the lock lets one migrate, the others find nothing to do.
        var databases = Enumerable.Range(0, 3).Select(_ => new PostgresDatabase(_connectionString)).ToArray();
        try
        {
            using var start = new Barrier(3);
            var applied = await Task.WhenAll(databases.Select(database => Task.Run(async () =>
            {
                start.SignalAndWait(TimeSpan.FromSeconds(30));
                return await new PostgresMigrationRunner(database).ApplyAsync();
            })));

            Assert.Equal(EmbeddedMigrations.Postgres.Count, applied.Sum());
            Assert.Equal(EmbeddedMigrations.Postgres.Count, applied.Max());
            Assert.Equal((long)EmbeddedMigrations.Postgres.Count, await ScalarAsync("SELECT count(*) FROM schema_migrations"));
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_or_one_this_build_does_not_know_is_refused()
    {
        await using var database = new PostgresDatabase(_connectionString);
        await new PostgresMigrationRunner(database, [new(1, "one", "CREATE TABLE a (x INTEGER);"), new(2, "two", "CREATE TABLE b (x INTEGER);")]).ApplyAsync();

        var changed = await Assert.ThrowsAsync<MigrationException>(() =>
            new PostgresMigrationRunner(database, [new(1, "one", "CREATE TABLE a (x TEXT);"), new(2, "two", "CREATE TABLE b (x INTEGER);")]).ApplyAsync());
        var newer = await Assert.ThrowsAsync<MigrationException>(() =>
            new PostgresMigrationRunner(database, [new(1, "one", "CREATE TABLE a (x INTEGER);")]).ApplyAsync());

        Assert.Contains("was changed after it was applied", changed.Message, StringComparison.Ordinal);
        Assert.Contains("newer than this Rampart knows", newer.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", newer.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_of_itself_behind()
    {
        await using var database = new PostgresDatabase(_connectionString);
        Migration[] migrations = [new(1, "one", "CREATE TABLE a (x INTEGER);"), new(2, "broken", "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);")];

        var error = await Assert.ThrowsAsync<MigrationException>(() => new PostgresMigrationRunner(database, migrations).ApplyAsync());

        Assert.Contains("0002_broken", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await new PostgresMigrationRunner(database, migrations).CurrentVersionAsync());
        Assert.Equal(false, await ScalarAsync("SELECT to_regclass('b') IS NOT NULL"));

        // The lock went with the failed run: the next run is not blocked.
        Assert.Equal(1, await new PostgresMigrationRunner(database, migrations[..1].Append(new Migration(2, "fixed", "CREATE TABLE b (x INTEGER);")).ToArray()).ApplyAsync());
    }

    [Fact]
    public async Task A_read_only_database_refuses_writes()
    {
        await using (var database = new PostgresDatabase(_connectionString))
        {
            await new PostgresMigrationRunner(database).ApplyAsync();
        }

        await using var readOnly = new PostgresDatabase(_connectionString, readOnly: true);
        var error = await Assert.ThrowsAsync<PostgresException>(() => readOnly.ExecuteForTestAsync("INSERT INTO node_settings VALUES ('a', 'b')"));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

internal static class PostgresDatabaseTestExtensions
{
    public static async Task ExecuteForTestAsync(this PostgresDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
