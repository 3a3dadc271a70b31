using Microsoft.Data.Sqlite;
using Rampart.Fleet.Inventory;
using Rampart.Storage.Inventory;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Migrations;

/// <summary>Migration 0035 (the console's device filters) indexes the tags of devices a node already has, and its triggers keep them after.</summary>
public sealed class DeviceTagsMigrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteDatabase _database;

    public DeviceTagsMigrationTests() => _database = new SqliteDatabase(_directory.Sub("node.db"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task Devices_from_before_the_migration_are_found_by_tag_and_a_change_or_removal_of_tags_is_followed()
    {
        // A node before 0035: two devices with tags (one tag twice), one without, written as the inventory writes them.
        await new MigrationRunner(_database, EmbeddedMigrations.All.Where(m => m.Version < 35).ToArray()).ApplyAsync();
        await SqlAsync("INSERT INTO devices (id, tags, state, created_ms, updated_ms) VALUES ('a', '[\"roof\",\"ip\",\"roof\"]', 'active', 0, 0), " +
            "('b', '[\"roof\"]', 'active', 0, 0), ('c', '[]', 'active', 0, 0)");

        Assert.Equal(1, await new MigrationRunner(_database, EmbeddedMigrations.All.Where(m => m.Version <= 35).ToArray()).ApplyAsync());

        var devices = new SqliteDeviceStore(_database);
        async Task<string[]> TaggedAsync(string tag) => [.. (await devices.ListAsync(new DeviceQuery(Tag: tag), CancellationToken.None)).Select(d => d.Id)];
        Assert.Equal(["a", "b"], await TaggedAsync("roof"));
        Assert.Equal(["a"], await TaggedAsync("ip"));
        Assert.Equal(3L, await SqlAsync("SELECT COUNT(*) FROM device_tags"));

        // No writer changes tags today; the triggers still keep the index true if one does.
        await SqlAsync("UPDATE devices SET tags = '[\"ip\"]' WHERE id = 'b'");
        await SqlAsync("DELETE FROM devices WHERE id = 'a'");
        Assert.Empty(await TaggedAsync("roof"));
        Assert.Equal(["b"], await TaggedAsync("ip"));
    }

    private async Task<object?> SqlAsync(string sql)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
