using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rampart.Detection.Export;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;
using Rampart.Server.Hosting;
using Rampart.Storage;

namespace Rampart.Server.Export;

/// <summary>Wires the export outbox and its destinations (docs/export.md), and the status endpoint.</summary>
public static class ExportServiceCollectionExtensions
{
    /// <summary>
    /// The outbox store, one sender per configured destination, the export loops as a hosted
    /// service. The options are bound and validated with the node's other settings (<c>AddRampartSettings</c>).
    /// </summary>
    public static IServiceCollection AddRampartExport(this IServiceCollection services)
    {
        // The node's storage provider's outbox (SQLite or PostgreSQL), like every other store.
        services.AddSingleton(provider => provider.GetRequiredService<NodeStores>().ExportOutbox);
        services.AddSingleton<ExportFigures>();
        services.AddSingleton<IReadOnlyList<IExportSender>>(provider => Senders(
            provider.GetRequiredService<IOptions<ExportOptions>>().Value, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider =>
        {
            // Nodes sharing one PostgreSQL outbox take turns per destination by lease (issue 15);
            // a node alone on SQLite delivers every destination itself, without the extra write per round.
            var senders = provider.GetRequiredService<IReadOnlyList<IExportSender>>();
            var stores = provider.GetRequiredService<NodeStores>();
            object[] given = stores.Provider == StorageProviders.Postgres
                ? [senders, new ExportLeaseHolder(stores.ExportLeases, LeaseHolder(provider.GetRequiredService<IConfiguration>()))]
                : [senders];
            return ActivatorUtilities.CreateInstance<ExportService>(provider, given);
        });
        services.AddHostedService<ExportHostedService>();
        return services;
    }

    /// <summary>Maps <c>GET /api/v1/export/status</c>: per destination, queued, delivered, dropped and the last error.</summary>
    public static RouteGroupBuilder MapExportEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/export/status", async (ExportService export, CancellationToken cancellationToken) =>
            TypedResults.Ok((await export.StatusAsync(cancellationToken)).Select(ExportStatusResponse.Of).ToArray()))
            .RequirePermission(Permissions.MetricsRead);
        return api;
    }

    // Unique per running node, so two processes never share a hold; the configured node id first, for the operator reading export_leases.
    private static string LeaseHolder(IConfiguration configuration) =>
        (configuration[$"{ClusterOptions.Section}:NodeId"] ?? Environment.MachineName.ToLowerInvariant()) + "-" + Guid.NewGuid().ToString("N")[..8];

    private static IReadOnlyList<IExportSender> Senders(ExportOptions options, TimeProvider time) =>
    [
        .. options.Syslog.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => (IExportSender)new SyslogTlsSender(pair.Key, pair.Value, Environment.MachineName, time)),
        .. options.Webhooks.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => (IExportSender)new WebhookSender(pair.Key, pair.Value, time)),
    ];

    // The loops run for the node's life; the senders' connections close with it.
    private sealed class ExportHostedService(ExportService export, IReadOnlyList<IExportSender> senders) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => export.RunAsync(stoppingToken);

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }
        }
    }
}
