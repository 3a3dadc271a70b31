using Microsoft.Data.Sqlite;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Migrations;

public sealed class MigrationRunnerTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteDatabase _database;

    public MigrationRunnerTests()
    {
        _database = new SqliteDatabase(_directory.Sub("test.db"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_new_database_gets_every_shipped_migration_in_order()
    {
        var runner = new MigrationRunner(_database);

        var applied = await runner.ApplyAsync();

        Assert.Equal(EmbeddedMigrations.All.Count, applied);
        Assert.Equal(runner.LatestVersion, await runner.CurrentVersionAsync());
        Assert.Equal(EmbeddedMigrations.All.Select(m => m.Version).Order(), EmbeddedMigrations.All.Select(m => m.Version));
    }

    [Fact]
    public async Task Applying_twice_changes_nothing_the_second_time()
    {
        var runner = new MigrationRunner(_database);
        await runner.ApplyAsync();

        Assert.Equal(0, await runner.ApplyAsync());
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_is_refused()
    {
        await new MigrationRunner(_database, [new Migration(1, "one", "CREATE TABLE a (x INTEGER);")]).ApplyAsync();

        var error = await Assert.ThrowsAsync<MigrationException>(() =>
            new MigrationRunner(_database, [new Migration(1, "one", "CREATE TABLE a (x TEXT);")]).ApplyAsync());

        Assert.Contains("was changed after it was applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_newer_than_this_build_is_refused()
    {
        await new MigrationRunner(_database, [new Migration(1, "one", "CREATE TABLE a (x INTEGER);"), new Migration(2, "two", "CREATE TABLE b (x INTEGER);")]).ApplyAsync();

        var error = await Assert.ThrowsAsync<MigrationException>(() =>
            new MigrationRunner(_database, [new Migration(1, "one", "CREATE TABLE a (x INTEGER);")]).ApplyAsync());

        Assert.Contains("newer than this Rampart knows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_leaves_nothing_of_itself_behind()
    {
        Migration[] migrations =
        [
            new(1, "one", "CREATE TABLE a (x INTEGER);"),
            new(2, "broken", "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);"),
        ];

        var error = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(_database, migrations).ApplyAsync());

        Assert.Contains("0002_broken", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await new MigrationRunner(_database, migrations).CurrentVersionAsync());
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'b'";
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_database_runs_in_wal_mode_with_full_synchronous_commits()
    {
        await new MigrationRunner(_database).ApplyAsync();
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();

        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(2L, await command.ExecuteScalarAsync()); // 2 = FULL
    }
}
