using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Mqtt.Protocol;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Zones;
using Rampart.Server.Gateway;

namespace Rampart.Server.Posture;

/// <summary>
/// Posture's loops on the node's clock: the scheduled fleet audit, and automatic confinement every
/// <see cref="ZoneOptions.CheckInterval"/> (at start too). A confinement change ends the device's live
/// session, so it reconnects under the template of its zone.
/// </summary>
public sealed partial class PostureHost(
    ConfinementService confinement, FleetEvidenceLoader loader, FleetAuditScheduler scheduler, FleetAuditOptions auditOptions, ZoneOptions zones,
    MqttGateway gateway, TimeProvider time, ILogger<PostureHost> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await confinement.LoadAsync(stoppingToken);
        confinement.Changed += Reconnect;
        try
        {
            var audits = auditOptions.Scheduled ? scheduler.RunAsync(stoppingToken) : Task.CompletedTask;
            await ConfineLoopAsync(stoppingToken);
            await audits;
        }
        finally
        {
            confinement.Changed -= Reconnect;
        }
    }

    private async Task ConfineLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var confined = await confinement.ConfineDueAsync(await loader.LoadAsync(stoppingToken), stoppingToken);
                if (confined.Count > 0)
                {
                    LogConfined(logger, confined.Count, string.Join(", ", confined.Take(20)));
                }

                await Task.Delay(zones.CheckInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogFailed(logger, exception);
                await Task.Delay(zones.CheckInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void Reconnect(string deviceId, bool confined) =>
        gateway.Broker.Disconnect(deviceId, MqttReasonCode.AdministrativeAction, confined ? "the device was confined; reconnect under the confined zone's permissions" : "the device was released from confinement");

    [LoggerMessage(EventId = 18003, Level = LogLevel.Warning, Message = "Confined {Count} device(s) automatically: {Devices}")]
    private static partial void LogConfined(ILogger logger, int count, string devices);

    [LoggerMessage(EventId = 18004, Level = LogLevel.Error, Message = "Automatic confinement failed; it runs again after the interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
