using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;

namespace Rampart.Server.Metrics;

/// <summary>
/// Prometheus <c>/metrics</c> on the HTTPS listener through OpenTelemetry's exporter, publishing every
/// <c>Rampart.*</c> meter (gateway, broker, security events, export, and the detection session's
/// <c>Rampart.Detection</c>). Scraping needs a bearer token with <c>metrics:read</c> or the service
/// certificate of a scraper listed in <c>Rampart:Metrics:Services</c>; it is never anonymous.
/// </summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    /// <summary>The meter name pattern that is published.</summary>
    public const string MeterPattern = "Rampart.*";

    /// <summary>The scrape endpoint's policy: <c>metrics:read</c> from a bearer token, or a listed service's certificate.</summary>
    public const string Policy = "metrics-scrape";

    /// <summary>Registers the meters and the exporter.</summary>
    public static IServiceCollection AddRampartMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<GatewayMeters>();
        services.AddSingleton<SecurityEventMeter>();
        services.AddHostedService(provider => provider.GetRequiredService<SecurityEventMeter>());
        services.AddHostedService<MeterActivation>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ScraperCertificateAuthenticationHandler>(ScraperCertificateAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(options => options.AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(ApiSecurityExtensions.SelectorScheme, ScraperCertificateAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(OperatorClaims.Permission, Permissions.MetricsRead)));
        services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("rampart")).WithMetrics(metrics => metrics.AddMeter(MeterPattern).AddPrometheusExporter());
        return services;
    }

    /// <summary>Maps the scrape endpoint, for callers holding <see cref="Permissions.MetricsRead"/> (a token, or a listed scraper's certificate) only.</summary>
    public static IEndpointRouteBuilder MapRampartMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(Path).RequireAuthorization(Policy).WithMetadata(new EndpointAccess(Permissions.MetricsRead));
        return endpoints;
    }

    // Observable instruments exist once their owner is built: build the meters at start, not at the first scrape.
    private sealed class MeterActivation(GatewayMeters gateway) : IHostedService
    {
        // Holding the reference is the point: resolving it created the instruments.
        public GatewayMeters Meters { get; } = gateway;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
