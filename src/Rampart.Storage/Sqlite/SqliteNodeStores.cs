using Rampart.Storage.Migrations;

namespace Rampart.Storage.Sqlite;

/// <summary>Every store on the node's embedded SQLite file.</summary>
public sealed class SqliteNodeStores(SqliteDatabase database) : NodeStores(database)
{
    /// <summary>The database file.</summary>
    public SqliteDatabase Database { get; } = database;

    /// <inheritdoc />
    public override string Provider => StorageProviders.Sqlite;

    /// <inheritdoc />
    public override string Target => Database.Path;

    /// <inheritdoc />
    public override Rampart.Mqtt.Broker.Persistence.IMqttSessionStore MqttSessions { get; } = Sessions.MqttSessionStore.For(database);

    /// <inheritdoc />
    public override Task<int> MigrateAsync(CancellationToken cancellationToken) => new MigrationRunner(Database).ApplyAsync(cancellationToken);

    /// <inheritdoc />
    public override async Task<(int Current, int Latest)> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        var runner = new MigrationRunner(Database);
        return (await runner.CurrentVersionAsync(cancellationToken), runner.LatestVersion);
    }

    /// <inheritdoc />
    public override Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Database.IsReachableAsync(cancellationToken);
}
