using Microsoft.Data.Sqlite;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Audit;

public sealed class AuditTableTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteDatabase _database;

    public AuditTableTests()
    {
        _database = new SqliteDatabase(_directory.Sub("test.db"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Theory]
    [InlineData("UPDATE audit_entries SET actor = 'x'")]
    [InlineData("DELETE FROM audit_entries")]
    [InlineData("UPDATE audit_checkpoints SET key_id = 'x'")]
    [InlineData("DELETE FROM audit_checkpoints")]
    public async Task The_audit_tables_refuse_updates_and_deletes(string sql)
    {
        await new MigrationRunner(_database).ApplyAsync();
        await using var connection = await _database.OpenAsync();
        await Execute(connection, "INSERT INTO audit_entries VALUES (1, 0, 'a', 'b', 'c', 'success', '{}', x'00', x'01')");
        await Execute(connection, "INSERT INTO audit_checkpoints VALUES (1, x'01', 0, 'k', x'02')");

        var error = await Assert.ThrowsAsync<SqliteException>(() => Execute(connection, sql));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_database_refuses_writes()
    {
        await new MigrationRunner(_database).ApplyAsync();
        var readOnly = new SqliteDatabase(_database.Path, readOnly: true);
        await using var connection = await readOnly.OpenAsync();

        await Assert.ThrowsAsync<SqliteException>(() => Execute(connection, "INSERT INTO node_settings VALUES ('a', 'b')"));
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
