using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Events;
using Rampart.Privacy.Classification;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Retention;
using Rampart.Privacy.Subjects;
using Rampart.Storage;

namespace Rampart.Server.Privacy;

/// <summary>Registers privacy by construction (issue 19): keys, policy, subjects, the broker's delivery filter, requests, retention and the host loop.</summary>
public static class PrivacyServiceCollectionExtensions
{
    public static IServiceCollection AddRampartPrivacy(this IServiceCollection services, IConfiguration configuration, string keysDirectory)
    {
        var settings = PrivacySettings.From(configuration, keysDirectory);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Options);
        services.AddSingleton<IKeyEncryptionKeys>(settings.Keys);
        services.AddSingleton(settings.Pseudonyms);
        services.AddSingleton(settings.Policy);
        services.AddSingleton<SubjectDirectory>();
        services.AddSingleton<SubjectChanges>();
        services.AddSingleton<Envelope>();
        services.AddSingleton<SubjectKeys>();

        // The node's storage provider's stores (SQLite or PostgreSQL), like every other store.
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().Subjects);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().Retention);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().StoredColumns);

        // Security events' sources of subjects' devices sealed at rest: this registration comes after
        // the core's (AddRampartCore), so every reader and writer of events resolves the wrapper.
        // The audit log seals the events written inside audited changes with the same wrapper.
        services.AddSingleton(provider => new SubjectSealedEventStore(
            provider.GetRequiredService<NodeStores>().SecurityEvents, provider.GetRequiredService<SubjectDirectory>(), provider.GetRequiredService<SubjectKeys>(),
            provider.GetRequiredService<Pseudonyms>()));
        services.AddSingleton<ISecurityEventStore>(provider => provider.GetRequiredService<SubjectSealedEventStore>());
        services.AddSingleton<ISecurityEventSealer>(provider => provider.GetRequiredService<SubjectSealedEventStore>());

        services.AddSingleton<ArchiveRegions>();
        services.AddSingleton<TelemetryArchive>();
        services.AddSingleton<SubjectService>();
        services.AddSingleton<SubjectExport>();
        services.AddSingleton<SubjectErasure>();
        services.AddSingleton<IApprovableOperation>(provider => provider.GetRequiredService<SubjectErasure>());
        services.AddSingleton<RetentionPolicy>();
        services.AddSingleton<IApprovableOperation>(provider => provider.GetRequiredService<RetentionPolicy>());
        services.AddSingleton<RetentionJob>();
        services.AddSingleton<KekRotation>();
        services.AddSingleton<ProcessingRecord>();
        services.AddSingleton(provider => new RefusalEvents(provider.GetRequiredService<GatewayEventTap>(), provider.GetRequiredService<TimeProvider>(), settings.Options.RefusalEventWindow));
        services.AddSingleton<PrivacyDeliveryFilter>();
        services.AddSingleton<ArchiveHost>();
        services.AddHostedService(provider => provider.GetRequiredService<ArchiveHost>());
        services.AddSingleton<PrivacyClusterRelay>();
        services.AddHostedService(provider => provider.GetRequiredService<PrivacyClusterRelay>());
        services.AddSingleton<PrivacyHost>();
        services.AddHostedService(provider => provider.GetRequiredService<PrivacyHost>());
        return services;
    }
}
