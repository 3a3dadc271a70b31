using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Updates;
using Rampart.Fleet.Approvals;
using Rampart.Server.Keys;
using Rampart.Storage;

namespace Rampart.Server.Updates;

/// <summary>Wiring of the update pipeline: TUF repository, firmware signing, releases, rollouts.</summary>
public static class UpdateServiceCollectionExtensions
{
    /// <summary>Adds the repository (created at start), signing keys, release and rollout services and the rollout engine (their stores come with AddRampartCore).</summary>
    public static IServiceCollection AddRampartUpdates(this IServiceCollection services, string dataDirectory, IConfiguration configuration)
    {
        var protector = KeyProtector.FromFile(configuration["Rampart:Keys:PassphraseFile"]);
        services.AddSingleton(protector);
        // The node's token holds the TUF and firmware ECDSA keys when key-storage.json says so (NodeKeyring opened it).
        services.AddSingleton(provider => new UpdateKeys(Path.Combine(dataDirectory, "keys"), protector, provider.GetService<NodeKeyring>()?.UpdateKeyToken));
        // On postgres the TUF repository and the LMS state are the cluster's (issue 15 item 6): nodes sharing
        // the keys must publish consecutive versions and never sign with the same one-time key. On SQLite the
        // node's data directory keeps both, as before.
        services.AddSingleton(provider => new TufRepository(dataDirectory, provider.GetRequiredService<UpdateKeys>(), provider.GetRequiredService<TimeProvider>(),
            ClusterStores(provider) is { } cluster
                ? new TufClusterMirror(Path.Combine(dataDirectory, "tuf"), cluster.TufFiles, provider.GetRequiredService<ILogger<TufClusterMirror>>())
                : null));
        services.AddHostedService<TufTimestampRefresher>();
        services.AddSingleton(provider => new FirmwareSigningKeys(
            dataDirectory, protector, provider.GetRequiredService<UpdateKeys>(), provider.GetRequiredService<ILogger<FirmwareSigningKeys>>(), ClusterStores(provider)));
        services.AddSingleton(provider => new ReleaseUploads(dataDirectory, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReleaseService>();
        services.AddSingleton<ReleasePromotion>();
        services.AddSingleton<IApprovableOperation>(provider => provider.GetRequiredService<ReleasePromotion>());
        services.AddSingleton(provider => new RolloutNotifier(
            provider.GetRequiredService<Gateway.MqttGateway>().Broker, provider.GetRequiredService<IRolloutStore>(), provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService<OrphanReleaseTargets>();
        services.AddSingleton<RolloutService>();
        services.AddSingleton<RolloutEngine>();
        services.AddHostedService(provider => provider.GetRequiredService<RolloutEngine>());
        return services;
    }

    // The cluster's stores when the node's state is in PostgreSQL, else null.
    private static NodeStores? ClusterStores(IServiceProvider provider) =>
        provider.GetRequiredService<NodeStores>() is { Provider: StorageProviders.Postgres } stores ? stores : null;
}
