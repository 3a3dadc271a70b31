using Microsoft.Extensions.DependencyInjection;
using Rampart.Storage;
using Rampart.Storage.Sqlite;

namespace Rampart.Server.Hosting;

/// <summary>Registers every store of the provider the node runs on (Rampart:Storage:Provider).</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>The stores of <paramref name="stores"/> behind Fleet's interfaces, and <see cref="NodeStores"/> itself (for /readyz).</summary>
    public static IServiceCollection AddRampartStorage(this IServiceCollection services, NodeStores stores)
    {
        services.AddSingleton(stores);
        services.AddSingleton(stores.Audit);
        services.AddSingleton(stores.SetupTokens);
        services.AddSingleton(stores.SecurityEvents);
        services.AddSingleton(stores.Devices);
        services.AddSingleton(stores.Certificates);
        services.AddSingleton(stores.Crls);
        services.AddSingleton(stores.BootstrapTokens);
        services.AddSingleton(stores.VendorTrust);
        services.AddSingleton(stores.Users);
        services.AddSingleton(stores.ApiTokens);
        services.AddSingleton(stores.Approvals);
        services.AddSingleton(stores.Releases);
        services.AddSingleton(stores.Rollouts);

        // A store written only for SQLite asks for the file itself; on PostgreSQL there is none to
        // hand it, so such a store fails loudly at resolution instead of writing beside the cluster.
        if (stores is SqliteNodeStores sqlite)
        {
            services.AddSingleton(sqlite.Database);
        }

        return services;
    }
}
