using Microsoft.Data.Sqlite;
using Npgsql;
using Rampart.Storage;
using Rampart.Storage.Migrations;
using Rampart.Storage.Postgres;
using Rampart.Storage.Sqlite;

namespace Rampart.Server.Hosting;

/// <summary>Opens the node's storage (its SQLite file or the cluster's PostgreSQL) and brings its schema up to date, with startup-friendly errors.</summary>
internal static class NodeDatabase
{
    /// <summary>Opens and migrates the provider <paramref name="storage"/> names; <paramref name="sqlitePath"/> is the node's own file.</summary>
    public static async Task<NodeStores> OpenAndMigrateAsync(string sqlitePath, StorageSettings storage, CancellationToken cancellationToken)
    {
        NodeStores stores = storage.IsPostgres
            ? new PostgresNodeStores(new PostgresDatabase(storage.ConnectionString!))
            : new SqliteNodeStores(new SqliteDatabase(sqlitePath));
        try
        {
            // PostgreSQL: under the migration lock, so nodes that start together migrate once.
            await stores.MigrateAsync(cancellationToken);
            return stores;
        }
        catch (Exception exception) when (exception is MigrationException or SqliteException or NpgsqlException or TimeoutException)
        {
            await stores.DisposeAsync();
            throw exception is MigrationException
                ? new NodeStartupException(exception.Message, exception)
                : new NodeStartupException($"the {stores.Provider} database {stores.Target} cannot be opened: {exception.Message}", exception);
        }
    }
}
