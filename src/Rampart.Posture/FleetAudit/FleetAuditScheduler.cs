using Microsoft.Extensions.Logging;

namespace Rampart.Posture.FleetAudit;

/// <summary>Runs the fleet audit every <see cref="FleetAuditOptions.Interval"/> (daily by default) on the injected clock.</summary>
public sealed partial class FleetAuditScheduler(FleetAuditService audits, FleetAuditOptions options, TimeProvider time, ILogger<FleetAuditScheduler> logger)
{
    /// <summary>The scheduler's actor in audit entries.</summary>
    public const string Actor = "system:fleet-audit";

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled: wait one interval, run, repeat. A failed run is logged and the next one still comes.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Interval, time, stoppingToken);
                var (run, diff) = await audits.RunAsync("scheduled", Actor, stoppingToken);
                LogRun(logger, run.Id, run.Devices, run.NonCompliant, diff.Checks.Count);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(EventId = 18001, Level = LogLevel.Information, Message = "Scheduled fleet audit {Run}: {Devices} devices, {NonCompliant} non-compliant checks, {Changed} checks changed since the previous run")]
    private static partial void LogRun(ILogger logger, long run, int devices, int nonCompliant, int changed);

    [LoggerMessage(EventId = 18002, Level = LogLevel.Error, Message = "Scheduled fleet audit failed; the next one runs after the interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
