using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rampart.Server.Cluster.LoadBalancer;

namespace Rampart.Server.Cluster;

/// <summary>Puts the PROXY protocol in front of a listener when <c>Rampart:Cluster:ProxyProtocolFrom</c> is set.</summary>
public static class ProxyProtocolListenOptionsExtensions
{
    /// <summary>Adds the middleware first on <paramref name="listen"/>; nothing when the setting is unset.</summary>
    public static ListenOptions UseRampartProxyProtocol(this ListenOptions listen)
    {
        if (listen.ApplicationServices.GetService<ProxyProtocolSettings>() is not { } settings)
        {
            return listen;
        }

        var logger = listen.ApplicationServices.GetRequiredService<ILogger<ProxyProtocolMiddleware>>();
        listen.Use(next => new ProxyProtocolMiddleware(next, settings, logger).OnConnectionAsync);
        return listen;
    }
}
