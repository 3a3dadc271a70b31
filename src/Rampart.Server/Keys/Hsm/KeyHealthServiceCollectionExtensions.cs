using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Rampart.Server.Keys.Hsm;

/// <summary>The node's watch over its PKCS#11 token: health for /readyz, 503 for signing requests while it is gone, events on each change.</summary>
public static class KeyHealthServiceCollectionExtensions
{
    /// <summary>Adds <see cref="TokenHealth"/>, its monitor and the 503 handler (registered before the catch-all handlers run).</summary>
    public static IServiceCollection AddRampartKeyHealth(this IServiceCollection services, NodeKeyring keys, IConfiguration configuration)
    {
        services.Configure<TokenMonitorOptions>(configuration.GetSection("Rampart:Keys:Token"));
        services.AddSingleton(new TokenHealth([keys.KeyProvider, keys.UpdateKeyToken]));
        services.AddHostedService<TokenMonitor>();
        services.AddExceptionHandler<KeyUnavailableHandler>();
        return services;
    }
}
