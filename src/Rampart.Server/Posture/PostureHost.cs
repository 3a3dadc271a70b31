using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Zones;

namespace Rampart.Server.Posture;

/// <summary>
/// Posture's schedules on the node's clock: automatic confinement at start and every
/// <see cref="ZoneOptions.CheckInterval"/>, the fleet audit every <see cref="FleetAuditOptions.Interval"/>
/// (daily by default). Both are looked at every <see cref="FleetAuditOptions.Poll"/>; a failure is logged and
/// the schedule goes on. A confinement change swaps the device's live sessions' permissions at once
/// (<see cref="ZoneSessions"/>) and goes out as a <see cref="DeviceZoneChanged"/> fleet event, which the cluster's
/// relay carries to the node holding the session (issue 15); the zone filter is installed at start.
/// </summary>
public sealed partial class PostureHost(
    ConfinementService confinement, FleetEvidenceLoader loader, FleetAuditService audits, FleetAuditOptions auditOptions, ZoneOptions zones,
    ZoneSessions sessions, FleetEventStream stream, TimeProvider time, ILogger<PostureHost> logger) : BackgroundService
{
    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Hosted services start in registration order, privacy's before posture's: the zone filter goes in front of its filter.
        await confinement.LoadAsync(cancellationToken);
        sessions.Install((await confinement.ListAsync(cancellationToken)).Where(c => c.Active).Select(c => c.DeviceId));
        confinement.Changed += Swap;
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        confinement.Changed -= Swap;
        await base.StopAsync(cancellationToken);
    }

    /// <summary>The scheduled audit's actor in audit entries.</summary>
    public const string AuditActor = "system:fleet-audit";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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

    // Runs synchronously up to the swap's audit entry, so the permissions have changed when the confinement call returns.
    private void Swap(Device device, bool confined) => _ = SwapAsync(device, confined);

    private async Task SwapAsync(Device device, bool confined)
    {
        try
        {
            // This node's sessions now; the other nodes' through the fleet control relay (issue 15, ZoneClusterSync there).
            var applying = sessions.ApplyAsync(device, confined);
            await stream.PublishAsync(new DeviceZoneChanged(time.GetUtcNow(), device.Id, device.Zone, confined, confined ? "confined" : "zone " + (device.Zone ?? "-")));
            await applying;
        }
        catch (Exception exception)
        {
            LogFailed(logger, nameof(Swap), exception);
        }
    }

    [LoggerMessage(EventId = 18001, Level = LogLevel.Information, Message = "Scheduled fleet audit {Run}: {Devices} devices, {NonCompliant} non-compliant checks, {Changed} checks changed since the previous run")]
    private static partial void LogAudit(ILogger logger, long run, int devices, int nonCompliant, int changed);

    [LoggerMessage(EventId = 18003, Level = LogLevel.Warning, Message = "Confined {Count} device(s) automatically: {Devices}")]
    private static partial void LogConfined(ILogger logger, int count, string devices);

    [LoggerMessage(EventId = 18004, Level = LogLevel.Error, Message = "Posture schedule {Work} failed; it runs again at its next time")]
    private static partial void LogFailed(ILogger logger, string work, Exception exception);
}
