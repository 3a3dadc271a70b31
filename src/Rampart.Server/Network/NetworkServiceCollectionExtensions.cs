using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Network;
using Rampart.Network.Inventory;
using Rampart.Posture.Zones;
using Rampart.Server.Hosting;
using Rampart.Storage;

namespace Rampart.Server.Network;

/// <summary>Registers network visibility (issue 21 item 5): pcap import, the passive inventory, the live IPFIX collector.</summary>
public static class NetworkServiceCollectionExtensions
{
    public static IServiceCollection AddRampartNetwork(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new NetworkOptions();
        try
        {
            configuration.GetSection("Rampart:Network").Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid network settings: {exception.Message}", exception);
        }

        var problems = options.Problems().ToArray();
        if (problems.Length > 0)
        {
            throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }

        services.AddSingleton(options);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().Network);
        services.AddSingleton(_ => OuiRegistry.Load(OuiRegistry.DebianPath));
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<NetworkVisibility>(provider, provider.GetRequiredService<ZoneOptions>().ToPolicy()));
        services.AddHostedService<NetworkHost>();
        return services;
    }
}
