using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rampart.Detection.Export;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Gateway;
using Rampart.Pki.Authority;
using Rampart.Posture.Baselines;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Procurement;
using Rampart.Posture.Reports;
using Rampart.Posture.Zones;
using Rampart.Storage;

namespace Rampart.Server.Posture;

/// <summary>Registers fleet posture (issue 18): models and the procurement gate, baselines, fleet audit, zones and confinement, reports.</summary>
public static class PostureServiceCollectionExtensions
{
    public static IServiceCollection AddRampartPosture(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = PostureSettings.From(configuration);
        services.AddSingleton(settings.Procurement);
        services.AddSingleton(settings.Audit);
        services.AddSingleton(settings.Zones);

        // The node's storage provider's stores (SQLite or PostgreSQL), like every other store.
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().DeviceModels);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().PostureReports);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().Confinements);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().FleetAudits);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().FleetEvidence);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().DeviceEvidence);

        // Exposure comes from the supply-chain capability when it is installed; without it, "not assessable".
        services.TryAddSingleton<IVulnerabilityExposure, NoVulnerabilitySource>();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<FleetEvidenceLoader>();
        services.AddSingleton<DeviceEvidenceLoader>();
        services.AddSingleton<BaselineService>();
        services.AddSingleton<IEnrollmentPolicy, ProcurementEnrollmentPolicy>();

        services.AddSingleton<ConfinedTemplates>();
        services.AddSingleton<IDeviceTemplatePolicy>(provider => provider.GetRequiredService<ConfinedTemplates>());
        services.AddSingleton<ConfinementService>();
        services.AddSingleton<ZoneSessions>();

        services.AddSingleton<ILiveSessions, GatewaySessions>();
        services.AddSingleton(provider => new FleetAuditService(
            provider.GetRequiredService<FleetEvidenceLoader>(), provider.GetRequiredService<IFleetAuditStore>(), provider.GetRequiredService<IAuditLog>(),
            () => Environment(provider, settings.Zones), settings.Audit, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PostureReportService>();
        services.AddHostedService<PostureHost>();
        services.AddHostedService<PostureReportCollector>();

        // Zones across a cluster (issue 15): told the other nodes' zone changes by the fleet control relay; idle on a node alone.
        services.AddSingleton<ZoneClusterSync>();
        services.AddSingleton<Rampart.Server.Cluster.IRemoteFleetControl>(provider => provider.GetRequiredService<ZoneClusterSync>());
        services.AddHostedService(provider => provider.GetRequiredService<ZoneClusterSync>());
        return services;
    }

    private static AuditEnvironment Environment(IServiceProvider provider, ZoneOptions zones)
    {
        var authority = provider.GetRequiredService<CertificateAuthority>();
        var export = provider.GetRequiredService<IOptions<ExportOptions>>().Value;
        var destinations = export.Syslog.Keys.Select(k => "syslog:" + k).Concat(export.Webhooks.Keys.Select(k => "webhook:" + k)).ToArray();
        return new AuditEnvironment(
            authority.Root, authority.Issuing,
            provider.GetRequiredService<IOptions<GatewayOptions>>().Value.ServicePermissions(),
            destinations.Length == 0 ? null : string.Join(", ", destinations),
            provider.GetRequiredService<ILiveSessions>(),
            zones.ToPolicy(),
            authority.Previous?.Issuing, authority.PreviousTrustedUntil);
    }
}
