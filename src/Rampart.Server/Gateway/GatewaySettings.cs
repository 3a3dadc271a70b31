using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Gateway;
using Rampart.Mqtt.Broker;
using Rampart.Server.Gateway.Tls;
using Rampart.Server.Hosting;

namespace Rampart.Server.Gateway;

/// <summary>The gateway's and broker's settings (sections <c>Rampart:Gateway</c>, <c>Rampart:Broker</c>), validated before anything binds.</summary>
public sealed record GatewaySettings(GatewayOptions Gateway, BrokerOptions Broker, EventRetentionOptions Events)
{
    /// <summary>The MQTT listener's TLS settings (<c>Rampart:Gateway:Tls</c>).</summary>
    public MqttTlsOptions Tls { get; init; } = new();

    /// <summary>Binds and checks every setting, reporting all problems in one message.</summary>
    public static GatewaySettings From(IConfiguration configuration)
    {
        var gateway = new GatewayOptions();
        var broker = new BrokerOptions();
        var events = new EventRetentionOptions();
        var tls = new MqttTlsOptions();
        try
        {
            configuration.GetSection("Rampart:Gateway:Tls").Bind(tls);
            configuration.GetSection("Rampart:Gateway").Bind(gateway);
            configuration.GetSection("Rampart:Broker").Bind(broker);
            configuration.GetSection("Rampart:Events").Bind(events);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid gateway settings: {exception.Message}", exception);
        }

        var problems = gateway.Problems().Concat(tls.Problems()).ToList();
        if (broker.Problem() is { } brokerProblem)
        {
            problems.Add("Broker: " + brokerProblem);
        }

        if (events.Retention <= TimeSpan.Zero || events.Interval <= TimeSpan.Zero)
        {
            problems.Add("Events: Retention and Interval must be positive");
        }

        return problems.Count > 0
            ? throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
            : new GatewaySettings(gateway, broker, events) { Tls = tls };
    }
}

/// <summary>Registers the MQTT gateway and its background services.</summary>
public static class GatewayServiceCollectionExtensions
{
    public static IServiceCollection AddRampartGateway(this IServiceCollection services, GatewaySettings settings)
    {
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(settings.Gateway));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(settings.Broker));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(settings.Events));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(settings.Tls));
        services.AddSingleton<GatewayEventTap>();
        services.AddSingleton(new ServiceClientIds(settings.Gateway.ServicePermissions()));
        services.AddSingleton<Rampart.Fleet.Inventory.IDeviceIdReservations>(provider => provider.GetRequiredService<ServiceClientIds>());
        services.AddSingleton<TrafficCounters>();
        services.AddSingleton<MqttGateway>();
        services.AddSingleton<GatewayControl>();
        services.AddHostedService(provider => provider.GetRequiredService<GatewayControl>());
        services.AddHostedService<GatewayEventWriter>();
        services.AddHostedService<EventRetention>();
        services.AddHostedService<PostureMonitor>();
        return services;
    }
}
