using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Mqtt.Protocol;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Zones;
using Rampart.Server.Gateway;

namespace Rampart.Server.Posture;

/// <summary>
/// Posture's schedules on the node's clock: automatic confinement at start and every
/// <see cref="ZoneOptions.CheckInterval"/>, the fleet audit every <see cref="FleetAuditOptions.Interval"/>
/// (daily by default). Both are looked at every <see cref="FleetAuditOptions.Poll"/>; a failure is logged and
/// the schedule goes on. A confinement change ends the device's live session, so it reconnects under the
/// template of its zone.
/// </summary>
public sealed partial class PostureHost(
    ConfinementService confinement, FleetEvidenceLoader loader, FleetAuditService audits, FleetAuditOptions auditOptions, ZoneOptions zones,
    MqttGateway gateway, TimeProvider time, ILogger<PostureHost> logger) : BackgroundService
{
    /// <summary>The scheduled audit's actor in audit entries.</summary>
    public const string AuditActor = "system:fleet-audit";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await confinement.LoadAsync(stoppingToken);
        confinement.Changed += Reconnect;
        var nextAudit = time.GetUtcNow() + auditOptions.Interval;
        var nextConfinement = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                if (now >= nextConfinement)
                {
                    nextConfinement = now + zones.CheckInterval;
                    await GuardedAsync(ConfineAsync, stoppingToken);
                }

                if (auditOptions.Scheduled && now >= nextAudit)
                {
                    nextAudit = now + auditOptions.Interval;
                    await GuardedAsync(AuditAsync, stoppingToken);
                }

                await Task.Delay(auditOptions.Poll, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            confinement.Changed -= Reconnect;
        }
    }

    private async Task ConfineAsync(CancellationToken cancellationToken)
    {
        var confined = await confinement.ConfineDueAsync(await loader.LoadAsync(cancellationToken), cancellationToken);
        if (confined.Count > 0)
        {
            LogConfined(logger, confined.Count, string.Join(", ", confined.Take(20)));
        }
    }

    private async Task AuditAsync(CancellationToken cancellationToken)
    {
        var (run, diff) = await audits.RunAsync("scheduled", AuditActor, cancellationToken);
        LogAudit(logger, run.Id, run.Devices, run.NonCompliant, diff.Checks.Count);
    }

    private async Task GuardedAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, work.Method.Name, exception);
        }
    }

    private void Reconnect(string deviceId, bool confined) =>
        gateway.Broker.Disconnect(deviceId, MqttReasonCode.AdministrativeAction, confined ? "the device was confined; reconnect under the confined zone's permissions" : "the device was released from confinement");

    [LoggerMessage(EventId = 18001, Level = LogLevel.Information, Message = "Scheduled fleet audit {Run}: {Devices} devices, {NonCompliant} non-compliant checks, {Changed} checks changed since the previous run")]
    private static partial void LogAudit(ILogger logger, long run, int devices, int nonCompliant, int changed);

    [LoggerMessage(EventId = 18003, Level = LogLevel.Warning, Message = "Confined {Count} device(s) automatically: {Devices}")]
    private static partial void LogConfined(ILogger logger, int count, string devices);

    [LoggerMessage(EventId = 18004, Level = LogLevel.Error, Message = "Posture schedule {Work} failed; it runs again at its next time")]
    private static partial void LogFailed(ILogger logger, string work, Exception exception);
}
