using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Updates;
using Rampart.Posture.Evidence;
using Rampart.Server.SupplyChain.Attestation;
using Rampart.Storage;
using Rampart.SupplyChain;

namespace Rampart.Server.SupplyChain;

/// <summary>Registers supply chain (issue 17): its stores, release SBOM indexing, imports, exposure (with its alerts, periodic recompute and posture's vulnerability source) and the release gate.</summary>
public static class SupplyChainServiceCollectionExtensions
{
    public static IServiceCollection AddRampartSupplyChain(this IServiceCollection services, IConfiguration configuration)
    {
        var options = Check(configuration);
        services.AddSingleton(options);
        services.AddSingleton(provider =>
        {
            var stores = provider.GetRequiredService<NodeStores>();
            return new NodeStoresView(stores.Sboms, stores.Vulnerabilities, stores.Vex, stores.Exposure, stores.Releases, stores.Rollouts, stores.Devices, stores.KnownExploited);
        });
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().Sboms);
        services.AddSingleton<ReleaseSboms>();
        services.AddSingleton<SupplyChainVulnerabilityExposure>();
        services.AddSingleton<IVulnerabilityExposure>(provider => provider.GetRequiredService<SupplyChainVulnerabilityExposure>());
        services.AddSingleton<ExposureAlerts>();
        services.AddSingleton<SupplyChainService>();
        services.AddHostedService<ExposureRefresher>();
        services.AddSingleton(provider => new AttestationService(provider.GetRequiredService<Gateway.MqttGateway>(), provider.GetRequiredService<NodeStores>().AttestationChallenges, provider.GetRequiredService<NodeStores>().Devices,
            provider.GetRequiredService<NodeStores>().Releases, provider.GetRequiredService<NodeStores>().Certificates, provider.GetRequiredService<Rampart.Detection.Alerts.AlertService>(),
            provider.GetRequiredService<Rampart.Detection.Response.ResponseEngine>(), options, provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService<AttestationHost>();
        services.AddSingleton<ReleaseGateService>();
        services.AddSingleton<IReleasePromotionGate>(provider => provider.GetRequiredService<ReleaseGateService>());
        services.AddSingleton<IApprovableOperation, GateOverride>();
        return services;
    }

    /// <summary>
    /// Binds <c>Rampart:SupplyChain</c> and checks it, before the node touches its data directory: an interval or
    /// timeout that is not positive would stop its loop (a zero sweep interval: silent devices never flagged),
    /// so it stops the node instead, naming the setting.
    /// </summary>
    public static SupplyChainOptions Check(IConfiguration configuration)
    {
        var options = new SupplyChainOptions();
        try
        {
            configuration.GetSection("Rampart:SupplyChain").Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new Hosting.NodeStartupException("invalid settings:" + Environment.NewLine + "  " + exception.Message, exception);
        }

        var problems = new (string Setting, TimeSpan Value)[]
            {
                ("ExposureInterval", options.ExposureInterval), ("AttestationTimeout", options.AttestationTimeout), ("AttestationSweepInterval", options.AttestationSweepInterval),
            }
            .Where(s => s.Value <= TimeSpan.Zero || s.Value > TimeSpan.FromDays(1))
            .Select(s => $"Rampart:SupplyChain:{s.Setting} must be more than zero and at most a day (is {s.Value})")
            .Concat(options.MaxAlertsPerRecompute < 1 ? [$"Rampart:SupplyChain:MaxAlertsPerRecompute must be at least 1 (is {options.MaxAlertsPerRecompute})"] : [])
            .ToArray();
        return problems.Length == 0 ? options
            : throw new Hosting.NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
    }
}
