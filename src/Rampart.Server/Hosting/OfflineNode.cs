using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Server.DataDirectory;
using Rampart.Server.Keys;
using Rampart.Storage.Certificates;

namespace Rampart.Server.Hosting;

/// <summary>
/// A stopped node's data directory opened for one admin command: the same services and audit
/// log as <c>serve</c>, holding the node lock so no node starts meanwhile.
/// </summary>
public sealed class OfflineNode : IAsyncDisposable
{
    private readonly NodeDataDirectory _directory;
    private readonly NodeKeyring _keys;
    private readonly ServiceProvider _services;

    private OfflineNode(NodeDataDirectory directory, NodeKeyring keys, ServiceProvider services)
    {
        _directory = directory;
        _keys = keys;
        _services = services;
    }

    /// <summary>The node's services.</summary>
    public IServiceProvider Services => _services;

    /// <summary>
    /// Opens an initialised data directory; refuses one that <c>rampart serve</c> never started on
    /// unless <paramref name="initialize"/>. <paramref name="time"/> replaces the system clock (tests).
    /// </summary>
    public static async Task<OfflineNode> OpenAsync(string dataDirectory, CancellationToken cancellationToken, bool initialize = false, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var root = Path.GetFullPath(dataDirectory);
        if (!initialize && !File.Exists(Path.Combine(root, "rampart.db")))
        {
            throw new NodeStartupException($"{root} is not a Rampart data directory (no rampart.db); start 'rampart serve --data {root}' once to initialise it");
        }

        UnixProcess.RestrictNewFilesToOwner();
        var directory = NodeDataDirectory.OpenExclusive(root);
        NodeKeyring? keys = null;
        try
        {
            var database = await NodeDatabase.OpenAndMigrateAsync(directory.DatabasePath, cancellationToken);
            keys = await NodeKeyring.LoadOrCreateAsync(directory, names: null, new SqliteCertificateStore(database), time, cancellationToken);
            var services = new ServiceCollection()
                .AddSingleton(time)
                .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
                .AddLogging()
                .AddRampartCore(database, keys)
                .BuildServiceProvider();
            await services.GetRequiredService<AuditLog>().StartAsync(cancellationToken);
            return new OfflineNode(directory, keys, services);
        }
        catch
        {
            keys?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<AuditLog>().StopAsync();
        await _services.DisposeAsync();
        _keys.Dispose();
        _directory.Dispose();
    }
}
