using Microsoft.Data.Sqlite;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Migrations;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Migrations;

/// <summary>Migration 0012 rebuilds security_events with AUTOINCREMENT on a database that has events and an export cursor.</summary>
public sealed class SecurityEventIdMigrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteDatabase _database;

    public SecurityEventIdMigrationTests() => _database = new SqliteDatabase(_directory.Sub("node.db"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task An_existing_database_keeps_its_events_and_never_reuses_an_id_its_export_cursor_passed()
    {
        // A node before 0012: five events, the exporter enqueued all five, retention deleted the newest two.
        await new MigrationRunner(_database, EmbeddedMigrations.All.Where(m => m.Version < 12).ToArray()).ApplyAsync();
        var events = new SqliteSecurityEventStore(_database);
        var time = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await events.AppendManyAsync(Enumerable.Range(1, 5).Select(i => new SecurityEvent(time.AddMinutes(i), $"kind-{i}", SecuritySeverity.Info, "d1", null,
            new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToArray(), CancellationToken.None);
        await SqlAsync("INSERT INTO export_cursors (source, position) VALUES ('security-events', 5)");
        await SqlAsync("DELETE FROM security_events WHERE id > 3");

        Assert.Equal(1, await new MigrationRunner(_database, EmbeddedMigrations.All.Where(m => m.Version <= 12).ToArray()).ApplyAsync());

        var kept = await events.ListAsync(null, 10, CancellationToken.None);
        Assert.Equal([3L, 2L, 1L], kept.Select(e => e.Id));
        Assert.Equal("2", kept[1].Event.Details["n"]);
        await events.AppendAsync(new SecurityEvent(time.AddHours(1), "after", SecuritySeverity.Info, "d1", null, new Dictionary<string, string>()), CancellationToken.None);
        var after = Assert.Single(await events.ListAfterAsync(5, null, 10, CancellationToken.None));
        Assert.Equal(("after", 6L), (after.Event.Kind, after.Id));

        // The table is the AUTOINCREMENT one, with its indexes.
        var sql = (string?)await SqlAsync("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'security_events'");
        Assert.Contains("AUTOINCREMENT", sql, StringComparison.Ordinal);
        Assert.Equal(2L, await SqlAsync("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'security_events'"));
    }

    private async Task<object?> SqlAsync(string sql)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
