using Microsoft.Extensions.DependencyInjection;
using Rampart.Server.WebConsole.Traffic;
using Rampart.Storage;

namespace Rampart.Server.WebConsole;

/// <summary>Registers the web console (issue 22): Razor components rendered on the server, nothing interactive.</summary>
public static class ConsoleServiceCollectionExtensions
{
    /// <summary>Adds what the console's pages need.</summary>
    public static IServiceCollection AddRampartConsole(this IServiceCollection services)
    {
        // Static server rendering only: no circuits, no WebAssembly, no blazor.web.js (nothing for the CSP to allow).
        services.AddRazorComponents();
        services.AddSingleton<TrafficRate>();
        services.AddSingleton<TrafficHistory>();
        services.AddHostedService<TrafficSampler>();
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().FleetSummary);
        return services;
    }
}
