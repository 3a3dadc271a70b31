using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Gateway;

/// <summary>Runs the gateway's event tap writer for the node's lifetime.</summary>
public sealed class GatewayEventWriter(GatewayEventTap tap) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => tap.RunAsync(stoppingToken);
}

/// <summary>How long security events are kept (configuration section <c>Rampart:Events</c>).</summary>
public sealed class EventRetentionOptions
{
    /// <summary>Events older than this are deleted; default 90 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often old events are deleted.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Deletes security events past their retention, at start and then periodically.</summary>
public sealed partial class EventRetention(ISecurityEventStore store, IOptions<EventRetentionOptions> options, TimeProvider time, ILogger<EventRetention> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.Interval, time);
        try
        {
            do
            {
                var deleted = await store.DeleteOlderThanAsync(time.GetUtcNow() - settings.Retention, stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted, settings.Retention);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Deleted {Count} security events older than {Retention}")]
    private static partial void LogDeleted(ILogger logger, int count, TimeSpan retention);
}
