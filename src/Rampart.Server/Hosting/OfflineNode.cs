using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Server.DataDirectory;
using Rampart.Server.Keys;
using Rampart.Storage;

namespace Rampart.Server.Hosting;

/// <summary>
/// A stopped node's data directory opened for one admin command: the same services and audit
/// log as <c>serve</c>, holding the node lock so no node starts meanwhile.
/// </summary>
public sealed class OfflineNode : IAsyncDisposable
{
    private readonly NodeDataDirectory _directory;
    private readonly NodeKeyring _keys;
    private readonly NodeStores _stores;
    private readonly ServiceProvider _services;

    private OfflineNode(NodeDataDirectory directory, NodeKeyring keys, NodeStores stores, ServiceProvider services)
    {
        _directory = directory;
        _keys = keys;
        _stores = stores;
        _services = services;
    }

    /// <summary>The node's services.</summary>
    public IServiceProvider Services => _services;

    /// <summary>The node's keys (the audit key rotation generates the next audit key beside them).</summary>
    public NodeKeyring Keys => _keys;

    /// <summary>
    /// Opens an initialised data directory; refuses one that <c>rampart serve</c> never started on
    /// unless <paramref name="initialize"/>. <paramref name="time"/> replaces the system clock (tests);
    /// <paramref name="storage"/> names the provider (the node's own SQLite file when null).
    /// </summary>
    public static async Task<OfflineNode> OpenAsync(
        string dataDirectory, CancellationToken cancellationToken, bool initialize = false, TimeProvider? time = null, StorageSettings? storage = null)
    {
        time ??= TimeProvider.System;
        storage ??= StorageSettings.Sqlite;
        var root = Path.GetFullPath(dataDirectory);

        // A node on PostgreSQL has no rampart.db; its keys directory says it was initialised.
        var marker = storage.IsPostgres ? Path.Combine(root, "keys") : Path.Combine(root, "rampart.db");
        if (!initialize && !File.Exists(marker) && !Directory.Exists(marker))
        {
            throw new NodeStartupException(
                $"{root} is not a Rampart data directory (no {Path.GetFileName(marker)}); start 'rampart serve --data {root}' once to initialise it");
        }

        UnixProcess.RestrictNewFilesToOwner();
        var directory = NodeDataDirectory.OpenExclusive(root);
        NodeKeyring? keys = null;
        NodeStores? stores = null;
        try
        {
            stores = await NodeDatabase.OpenAndMigrateAsync(directory.DatabasePath, storage, cancellationToken);
            await CaRollover.ResolvePendingAsync(directory, stores.Audit, cancellationToken);
            keys = await NodeKeyring.LoadOrCreateAsync(directory, names: null, stores.Certificates, time, cancellationToken);
            var services = new ServiceCollection()
                .AddSingleton(time)
                .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
                .AddLogging()
                .AddRampartCore(stores, keys)
                .BuildServiceProvider();
            await services.GetRequiredService<AuditLog>().StartAsync(cancellationToken);
            return new OfflineNode(directory, keys, stores, services);
        }
        catch
        {
            keys?.Dispose();
            if (stores is not null)
            {
                await stores.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<AuditLog>().StopAsync();
        await _services.DisposeAsync();
        await _stores.DisposeAsync();
        _keys.Dispose();
        _directory.Dispose();
    }
}
