using Microsoft.Data.Sqlite;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Storage.Tests.Audit;

/// <summary>What only SQLite has: a read-only opening (the append-only triggers are in the provider contract, Contracts/AuditChainContract.cs).</summary>
public sealed class SqliteReadOnlyTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteDatabase _database;

    public SqliteReadOnlyTests()
    {
        _database = new SqliteDatabase(_directory.Sub("test.db"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
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
