using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.SupplyChain;

namespace Rampart.Server.SupplyChain;

/// <summary>
/// Recomputes fleet exposure at start and every <see cref="SupplyChainOptions.ExposureInterval"/>: what
/// devices run changes with their update reports, not only with imports, and posture's vulnerability
/// check and the exposure alerts follow it. A recompute that changes nothing writes nothing.
/// </summary>
public sealed partial class ExposureRefresher(SupplyChainService service, SupplyChainOptions options, TimeProvider time, ILogger<ExposureRefresher> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ExposureInterval, time);
        do
        {
            try
            {
                var change = await service.RecomputeAsync(ExposureAlerts.Actor, stoppingToken);
                LogRecomputed(change.Open, change.Opened, change.Closed, change.AlertsOpened, change.AlertsResolved);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A failed recompute (the database away) is retried at the next tick; the last result stands meanwhile.
                LogFailed(exception);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Exposure recomputed: {Open} open lines, {Opened} opened, {Closed} closed; alerts {AlertsOpened} opened, {AlertsResolved} resolved")]
    private partial void LogRecomputed(int open, int opened, int closed, int alertsOpened, int alertsResolved);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exposure recompute failed; retried at the next interval")]
    private partial void LogFailed(Exception exception);
}
