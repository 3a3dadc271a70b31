using Rampart.Detection.Export;
using Rampart.Detection.Metrics;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Updates;
using Rampart.Storage.Audit;
using Rampart.Storage.Detection;
using Rampart.Storage.Export;
using Rampart.Storage.Migrations;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Updates;

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
    public override IAuditStore Audit { get; } = new SqliteAuditStore(database);

    /// <inheritdoc />
    public override ISecurityEventStore SecurityEvents { get; } = new SqliteSecurityEventStore(database);

    /// <inheritdoc />
    public override IRolloutStore Rollouts { get; } = new SqliteRolloutStore(database);

    /// <inheritdoc />
    public override IExportOutbox ExportOutbox { get; } = new SqliteExportOutbox(database);

    /// <inheritdoc />
    public override IWindowStore BehaviourWindows { get; } = new SqliteWindowStore(database);

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
