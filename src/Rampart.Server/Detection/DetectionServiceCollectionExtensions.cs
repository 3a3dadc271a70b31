using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Detection;
using Rampart.Detection.Alerts;
using Rampart.Detection.Metrics;
using Rampart.Detection.Profiles;
using Rampart.Detection.Response;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Storage;

namespace Rampart.Server.Detection;

/// <summary>Registers detection and response (issue 14): collector, engine, alerts, rules, response and the host loop.</summary>
public static class DetectionServiceCollectionExtensions
{
    public static IServiceCollection AddRampartDetection(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = DetectionSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Detection);
        services.AddSingleton(settings.Response);
        services.AddSingleton<DetectionMeter>();
        // The node's storage provider's stores (SQLite or PostgreSQL), like every other store.
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().Alerts);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().DetectionRules);
        services.AddSingleton<AlertService>();
        services.AddSingleton(provider => new BehaviourCollector(settings.Detection, provider.GetRequiredService<TrafficCounters>()));
        services.AddSingleton(provider => new DetectionEngine(settings.Detection, RuleSet.Empty, provider.GetRequiredService<IDeviceStore>(), provider.GetRequiredService<DetectionMeter>()));
        services.AddSingleton<DetectionRules>();
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().LimitOverrides);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().ContainmentBudget);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().BehaviourWindows);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().Baselines);
        services.AddSingleton<ILiveLimits, GatewayLiveLimits>();
        services.AddSingleton<LimitOverrides>();
        services.AddSingleton<ContainmentBudget>();
        services.AddSingleton<IContainmentActions, GatewayContainment>();
        services.AddSingleton<HeldRevocation>();
        services.AddSingleton<IApprovableOperation>(provider => provider.GetRequiredService<HeldRevocation>());
        services.AddSingleton<ResponseEngine>();
        services.AddSingleton<QuarantineRelease>();
        services.AddSingleton<DetectionHost>();
        services.AddHostedService(provider => provider.GetRequiredService<DetectionHost>());
        return services;
    }
}
