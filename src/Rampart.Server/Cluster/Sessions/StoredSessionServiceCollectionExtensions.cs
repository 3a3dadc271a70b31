using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Server.Hosting;

namespace Rampart.Server.Cluster.Sessions;

/// <summary>Registers session and retained-message persistence (on unless <c>Rampart:Sessions:Persist</c> is false); settings checked before anything starts.</summary>
public static class StoredSessionServiceCollectionExtensions
{
    /// <summary>Binds and checks <c>Rampart:Sessions</c>; a bad value stops the start naming the setting.</summary>
    public static SessionStoreOptions From(IConfiguration configuration)
    {
        var options = new SessionStoreOptions();
        try
        {
            configuration.GetSection(SessionStoreOptions.Section).Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid settings: {SessionStoreOptions.Section}: {exception.Message}", exception);
        }

        if (options.Problem() is { } problem)
        {
            throw new NodeStartupException($"invalid settings: {SessionStoreOptions.Section}:{problem}");
        }

        return options;
    }

    public static IServiceCollection AddRampartSessions(this IServiceCollection services, IConfiguration configuration, ClusterSettings? cluster)
    {
        var options = From(configuration);
        if (!options.Persist)
        {
            return services;
        }

        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(new SessionNode(cluster?.NodeId ?? "node-" + Guid.NewGuid().ToString("N")[..12]));
        services.AddSingleton<SessionPersistence>();
        services.AddHostedService(provider => provider.GetRequiredService<SessionPersistence>());
        services.AddSingleton<RetainedPersistence>();
        services.AddHostedService(provider => provider.GetRequiredService<RetainedPersistence>());
        return services;
    }
}
