using Microsoft.Data.Sqlite;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;

namespace Rampart.Server.Hosting;

/// <summary>Opens the node's database and brings its schema up to date, with startup-friendly errors.</summary>
internal static class NodeDatabase
{
    public static async Task<SqliteDatabase> OpenAndMigrateAsync(string path, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(path);
        try
        {
            await new MigrationRunner(database).ApplyAsync(cancellationToken);
            return database;
        }
        catch (MigrationException exception)
        {
            throw new NodeStartupException(exception.Message, exception);
        }
        catch (SqliteException exception)
        {
            throw new NodeStartupException($"the database {path} cannot be opened: {exception.Message}", exception);
        }
    }
}
