
namespace Rampart.Storage.Postgres;

/// <summary>Every store on the cluster's PostgreSQL database.</summary>
public sealed class PostgresNodeStores(PostgresDatabase database) : NodeStores(database)
{
    /// <summary>The database (a connection pool).</summary>
    public PostgresDatabase Database { get; } = database;

    /// <inheritdoc />
    public override string Provider => StorageProviders.Postgres;

    /// <inheritdoc />
    public override string Target => Database.Target;

    /// <inheritdoc />
    public override Rampart.Mqtt.Broker.Persistence.IMqttSessionStore MqttSessions { get; } = Storage.Sessions.MqttSessionStore.For(database);

    /// <inheritdoc />
    public override Task<int> MigrateAsync(CancellationToken cancellationToken) => new PostgresMigrationRunner(Database).ApplyAsync(cancellationToken);

    /// <inheritdoc />
    public override async Task<(int Current, int Latest)> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        var runner = new PostgresMigrationRunner(Database);
        return (await runner.CurrentVersionAsync(cancellationToken), runner.LatestVersion);
    }

    /// <inheritdoc />
    public override Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Database.IsReachableAsync(cancellationToken);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await base.DisposeAsync();
    }
}
