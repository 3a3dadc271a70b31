using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Updates;
using Rampart.Fleet.Approvals;
using Rampart.Server.Keys;

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
        services.AddSingleton(provider => new TufRepository(dataDirectory, provider.GetRequiredService<UpdateKeys>(), provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService<TufTimestampRefresher>();
        services.AddSingleton(provider => new FirmwareSigningKeys(dataDirectory, protector, provider.GetRequiredService<UpdateKeys>(), provider.GetRequiredService<ILogger<FirmwareSigningKeys>>()));
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
}
