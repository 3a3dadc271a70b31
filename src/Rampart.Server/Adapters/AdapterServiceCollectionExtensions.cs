using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Credentials;
using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Identity;
using Rampart.Adapters.Links;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Broker;
using Rampart.Pki.Authority;
using Rampart.Server.Gateway;
using Rampart.Storage;

namespace Rampart.Server.Adapters;

/// <summary>Registers and maps the device front doors beside MQTT (docs/adapters.md).</summary>
public static class AdapterServiceCollectionExtensions
{
    /// <summary>The HTTPS device API, the legacy adapter, CoAP over DTLS and the credential service, over the MQTT gateway's broker and state.</summary>
    public static IServiceCollection AddRampartAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = AdapterSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Options);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().DeviceCredentials);
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().HeldCommands);
        services.AddSingleton(provider =>
        {
            var gateway = provider.GetRequiredService<MqttGateway>();
            return new AdapterGateway(gateway.Broker, provider.GetRequiredService<IOptions<GatewayOptions>>().Value,
                provider.GetRequiredService<IOptions<BrokerOptions>>().Value.MaximumPacketSize, gateway.Events, gateway.Traffic, gateway.Limits,
                new GatewayRefusals(gateway));
        });
        services.AddSingleton<DeviceLinks>();
        services.AddSingleton(provider => new CertificateDevices(new ClientIdentityResolver(
            provider.GetRequiredService<CertificateAuthority>(), provider.GetRequiredService<ICertificateStore>(), provider.GetRequiredService<IDeviceStore>(),
            provider.GetRequiredService<IOptions<GatewayOptions>>().Value.ServicePermissions(), provider.GetRequiredService<TimeProvider>(),
            [.. provider.GetServices<IDeviceTemplatePolicy>()])));
        services.AddSingleton<PskDevices>();
        services.AddSingleton<LegacyDevices>();
        services.AddSingleton<DeviceCredentials>();
        services.AddSingleton<FrontDoorHost>();
        services.AddSingleton(BindCoap(configuration));
        services.AddSingleton<CoapHost>();
        services.AddHostedService(provider => provider.GetRequiredService<CoapHost>());
        services.AddHostedService<AdapterControl>();
        return services;
    }

    private static CoapListenerOptions BindCoap(IConfiguration configuration)
    {
        var options = new CoapListenerOptions();
        configuration.GetSection(AdapterOptions.Section + ":Coap").Bind(options);
        var problems = options.Problems().ToArray();
        return problems.Length > 0 ? throw new Hosting.NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems)) : options;
    }

    /// <summary>Maps <c>/device/v1</c> (the HTTPS device API and the legacy adapter) and the credential endpoints under <c>/api/v1</c>.</summary>
    public static WebApplication MapAdapters(this WebApplication app)
    {
        var host = app.Services.GetRequiredService<FrontDoorHost>();
        app.MapDeviceApi(host);
        app.MapCredentialEndpoints();
        return app;
    }
}
