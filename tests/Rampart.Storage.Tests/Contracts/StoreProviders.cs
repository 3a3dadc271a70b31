using Microsoft.Data.Sqlite;
using Npgsql;
using Rampart.Storage.Postgres;
using Rampart.Storage.Sqlite;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>One storage provider on a fresh, migrated database of its own, for one test.</summary>
public interface IStoreProvider : IAsyncDisposable
{
    /// <summary>Every store on a new database, migrated.</summary>
    Task<NodeStores> OpenAsync();

    /// <summary>Every store again on the database <see cref="OpenAsync"/> made, with connections of its own: a second node.</summary>
    NodeStores OpenSecondNode();

    /// <summary>Runs raw SQL outside any store (what someone with database access could do).</summary>
    Task ExecuteRawAsync(string sql);
}

/// <summary>A SQLite file in a temporary directory.</summary>
public sealed class SqliteProvider : IStoreProvider
{
    private readonly TempDirectory _directory = new();
    private SqliteDatabase? _database;

    public async Task<NodeStores> OpenAsync()
    {
        _database = new SqliteDatabase(_directory.Sub("rampart.db"));
        var stores = new SqliteNodeStores(_database);
        await stores.MigrateAsync(CancellationToken.None);
        return stores;
    }

    public NodeStores OpenSecondNode() => new SqliteNodeStores(new SqliteDatabase(_database!.Path));

    public async Task ExecuteRawAsync(string sql)
    {
        await using var connection = await _database!.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A new database on the test run's PostgreSQL server.</summary>
public sealed class PostgresProvider : IStoreProvider
{
    private string? _connectionString;

    /// <summary>The database's connection string, once opened.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("not opened");

    public async Task<NodeStores> OpenAsync()
    {
        _connectionString = await PostgresServer.NewDatabaseAsync();
        var stores = new PostgresNodeStores(new PostgresDatabase(_connectionString));
        await stores.MigrateAsync(CancellationToken.None);
        return stores;
    }

    public NodeStores OpenSecondNode() => new PostgresNodeStores(new PostgresDatabase(ConnectionString));

    public async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
