using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Updates;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Server.Gateway;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Updates;

/// <summary>
/// Drives running rollouts. Each tick, for each running rollout: 1. devices past their timeout fail;
/// 2. the abort criteria are judged over all finished devices — an abort stops all further
/// notifications at once; 3. a rollout with nobody left open completes; 4. when every device of the
/// current wave has finished, the next wave opens; 5. pending devices of open waves are notified at
/// no more than the rollout's rate, each re-checked against rollback protection first. A device is
/// notified by a retained QoS 1 message on <c>devices/{id}/config</c>; its reports on
/// <c>devices/{id}/state</c> move only its own row, only forward.
/// </summary>
public sealed partial class RolloutEngine(
    MqttGateway gateway, RolloutNotifier notifier, IRolloutStore store, IReleaseStore releases, Rampart.Fleet.Inventory.IDeviceStore devices, IAuditLog audit, SecurityEvents events,
    IOptions<RolloutOptions> options, TimeProvider time, ILogger<RolloutEngine> logger) : BackgroundService
{
    private static readonly RolloutDeviceState[] Unfinished = [RolloutDeviceState.Notified, RolloutDeviceState.Downloading, RolloutDeviceState.Installing];

    private readonly Channel<MqttMessage> _reports = Channel.CreateBounded<MqttMessage>(
        new BoundedChannelOptions(options.Value.ReportQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly ConcurrentDictionary<long, (double Allowance, DateTimeOffset At)> _budgets = new();
    private readonly SemaphoreSlim _advance = new(1, 1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observation = gateway.Broker.Observe("devices/+/state", message => _reports.Writer.TryWrite(message));
        var reports = ConsumeReportsAsync(stoppingToken);
        try
        {
            await RepublishAsync(stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            TickFailed(logger, exception);
        }

        using var timer = new PeriodicTimer(options.Value.Tick, time);
        try
        {
            do
            {
                try
                {
                    await AdvanceAllAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    TickFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await reports;
    }

    /// <summary>Advances every running rollout once (the tick's work).</summary>
    public async Task AdvanceAllAsync(CancellationToken cancellationToken)
    {
        await _advance.WaitAsync(cancellationToken);
        try
        {
            foreach (var rollout in await store.ListAsync([RolloutState.Running], 1000, cancellationToken))
            {
                await AdvanceAsync(rollout, cancellationToken);
            }
        }
        finally
        {
            _advance.Release();
        }
    }

    private async Task AdvanceAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var release = await releases.GetAsync(rollout.ReleaseId, cancellationToken);
        if (release is null)
        {
            return;
        }

        // 1. Timeouts.
        foreach (var device in await store.OverdueAsync(rollout.Id, now - rollout.Policy.DeviceTimeout, 10_000, cancellationToken))
        {
            await FinishAsync(rollout, device, RolloutDeviceState.Failed, $"no result within {rollout.Policy.DeviceTimeout}", cancellationToken);
        }

        // 2. Abort criteria, over every finished device.
        var counts = await store.CountAsync(rollout.Id, null, cancellationToken);
        if (RolloutJudgement.AbortReason(counts, rollout.Policy) is { } reason)
        {
            var aborted = events.Create("rollout.aborted", SecuritySeverity.Warning, null, null,
                new Dictionary<string, string> { ["rollout"] = rollout.Id.ToString(CultureInfo.InvariantCulture), ["release"] = rollout.ReleaseId, ["reason"] = reason });
            var told = counts[RolloutDeviceState.Notified] + counts[RolloutDeviceState.Downloading];
            var record = new AuditRecord("node", "rollout.aborted", $"rollout:{rollout.Id}", AuditOutcome.Success, new Dictionary<string, string>
            {
                ["release"] = rollout.ReleaseId, ["reason"] = reason, ["withdrawn-from"] = told.ToString(CultureInfo.InvariantCulture),
            });
            if (await TrySetStateAsync(rollout.Id, RolloutState.Aborted, reason, record, aborted, cancellationToken))
            {
                _budgets.TryRemove(rollout.Id, out _);
                RolloutAborted(logger, rollout.Id, reason);
                await events.PublishCommittedAsync([aborted], cancellationToken);

                // After the commit; a node that dies first withdraws again at its next start (RepublishAsync).
                await notifier.WithdrawAsync(rollout.Id, "rollout aborted", cancellationToken);
            }

            return;
        }

        // 3. Completion.
        if (RolloutJudgement.IsComplete(counts))
        {
            var record = new AuditRecord("node", "rollout.completed", $"rollout:{rollout.Id}", AuditOutcome.Success, new Dictionary<string, string>
            {
                ["release"] = rollout.ReleaseId,
                ["succeeded"] = counts[RolloutDeviceState.Succeeded].ToString(CultureInfo.InvariantCulture),
                ["failed"] = counts.Failures.ToString(CultureInfo.InvariantCulture),
                ["skipped"] = counts[RolloutDeviceState.Skipped].ToString(CultureInfo.InvariantCulture),
            });
            if (await TrySetStateAsync(rollout.Id, RolloutState.Completed, null, record, null, cancellationToken))
            {
                _budgets.TryRemove(rollout.Id, out _);
            }

            return;
        }

        // 4. The next wave opens when the current one has finished (the wave and its entry commit together).
        var wave = rollout.CurrentWave;
        while (wave + 1 < rollout.WaveCount && (await store.CountAsync(rollout.Id, wave, cancellationToken)).Open == 0)
        {
            var next = wave + 1;
            var record = new AuditRecord("node", "rollout.wave-started", $"rollout:{rollout.Id}", AuditOutcome.Success,
                new Dictionary<string, string> { ["wave"] = next.ToString(CultureInfo.InvariantCulture) });
            var opened = await audit.CommitAsync(async (transaction, token) =>
                await store.TryOpenWaveAsync(transaction, rollout.Id, next, token) ? AuditedOutcome<bool>.Done(true, record) : AuditedOutcome<bool>.Nothing(false),
                cancellationToken);
            if (!opened.Value)
            {
                // Paused, cancelled or advanced meanwhile: the next tick sees it as it is.
                return;
            }

            wave = next;
        }

        // 5. Notify at no more than the rate: a budget that refills continuously, capped at one tick's worth
        // (at least one device), so a pause or a slow tick never releases a burst.
        var perSecond = rollout.Policy.RatePerMinute / 60.0;
        var cap = Math.Max(1, perSecond * options.Value.Tick.TotalSeconds);
        var (allowance, at) = _budgets.GetOrAdd(rollout.Id, _ => (1, now));
        allowance = Math.Min(cap, allowance + (now - at).TotalSeconds * perSecond);
        var pending = (int)allowance > 0 ? await store.PendingAsync(rollout.Id, wave, (int)allowance, cancellationToken) : [];
        var firmware = pending.Count > 0 ? await store.ReportedFirmwareAsync(pending, cancellationToken) : new Dictionary<string, ReportedFirmware>();
        foreach (var device in pending)
        {
            if (firmware.TryGetValue(device, out var runs) && RollbackProtection.Refusal(runs, release) is { } refusal)
            {
                await store.TryMoveDeviceAsync(rollout.Id, device, [RolloutDeviceState.Pending], RolloutDeviceState.Skipped, refusal, now, cancellationToken);
                continue;
            }

            if (await store.TryMoveDeviceAsync(rollout.Id, device, [RolloutDeviceState.Pending], RolloutDeviceState.Notified, null, now, cancellationToken))
            {
                notifier.Notify(device, new FirmwareDirective(rollout.Id, release.Id, release.Version, release.SecurityVersion, release.ImageTarget, release.ManifestTarget));
                allowance--;
            }
        }

        _budgets[rollout.Id] = (allowance, now);
    }

    // Retained messages live in the broker's memory: after a restart, devices told before it (and not
    // finished) get their directive again. A device that already reported ignores it (it remembers the rollout).
    // A rollout stopped just before a crash may not have withdrawn yet (the withdrawal follows the commit of
    // the stop): its notified and downloading devices are told again, which is idempotent.
    private async Task RepublishAsync(CancellationToken cancellationToken)
    {
        foreach (var stopped in await store.ListAsync([RolloutState.Cancelled, RolloutState.Aborted], 1000, cancellationToken))
        {
            var counts = await store.CountAsync(stopped.Id, null, cancellationToken);
            if (counts[RolloutDeviceState.Notified] + counts[RolloutDeviceState.Downloading] > 0)
            {
                await notifier.WithdrawAsync(stopped.Id, $"rollout {stopped.State.ToString().ToLowerInvariant()}", cancellationToken);
            }
        }

        foreach (var rollout in await store.ListAsync([RolloutState.Running, RolloutState.Paused], 1000, cancellationToken))
        {
            if (await releases.GetAsync(rollout.ReleaseId, cancellationToken) is not { } release)
            {
                continue;
            }

            var directive = new FirmwareDirective(rollout.Id, release.Id, release.Version, release.SecurityVersion, release.ImageTarget, release.ManifestTarget);
            foreach (var state in Unfinished)
            {
                await foreach (var device in store.EachDeviceAsync(rollout.Id, state, cancellationToken))
                {
                    notifier.Notify(device.DeviceId, directive);
                }
            }
        }
    }

    private async Task ConsumeReportsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _reports.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await RecordAsync(message, cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    TickFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // The device id is the authenticated publisher's, never only the topic's: a device can move only its
    // own row, and a service allowed to publish on devices/+/state moves none (the posture monitor
    // records such a report as device.report-not-attributed).
    private async Task RecordAsync(MqttMessage message, CancellationToken cancellationToken)
    {
        if (DeviceReports.AttributedDevice(message) is not { } deviceId || UpdateReport.Parse(message.Payload.Span) is not { } report)
        {
            return;
        }

        await store.RecordFirmwareAsync(deviceId, new ReportedFirmware(report.InstalledVersion, report.InstalledSecurityVersion, time.GetUtcNow()), cancellationToken);
        if (report is not { Rollout: { } id, State: { } state } || await store.GetAsync(id, cancellationToken) is not { } rollout)
        {
            return;
        }

        // Success counts only when the device then runs the release.
        var detail = report.Detail;
        var offered = state == RolloutDeviceState.Succeeded ? await releases.GetAsync(rollout.ReleaseId, cancellationToken) : null;
        if (offered is not null && (report.InstalledVersion != offered.Version || report.InstalledSecurityVersion != offered.SecurityVersion))
        {
            (state, detail) = (RolloutDeviceState.Failed, $"reported success but runs {report.InstalledVersion} (svn {report.InstalledSecurityVersion})");
        }

        if (state.IsTerminal())
        {
            await FinishAsync(rollout, deviceId, state, detail, cancellationToken, state == RolloutDeviceState.Succeeded ? offered?.Version : null);
        }
        else
        {
            await store.TryMoveDeviceAsync(id, deviceId, Unfinished.Where(from => RolloutDeviceStates.CanReport(from, state)).ToArray(), state, detail,
                time.GetUtcNow(), cancellationToken);
        }
    }

    private async Task FinishAsync(Rollout rollout, string deviceId, RolloutDeviceState state, string? detail, CancellationToken cancellationToken, string? installed = null)
    {
        // A failed or rolled-back update is a security event too: an image that does not run, or one a device refused.
        var failed = state.IsFailure()
            ? events.Create("device.update-failed", SecuritySeverity.Warning, deviceId, null, new Dictionary<string, string>
            {
                ["rollout"] = rollout.Id.ToString(CultureInfo.InvariantCulture), ["release"] = rollout.ReleaseId, ["outcome"] = state.Name(), ["reason"] = detail ?? "-",
            })
            : null;
        var record = new AuditRecord("node", "rollout.device-" + state.Name(), $"device:{deviceId}", state.IsFailure() ? AuditOutcome.Failure : AuditOutcome.Success,
            new Dictionary<string, string> { ["rollout"] = rollout.Id.ToString(CultureInfo.InvariantCulture), ["release"] = rollout.ReleaseId, ["detail"] = detail ?? "-" });

        // The device's result, its entry and its event commit together (a result is never recorded without its entry).
        // A success also sets the inventory's firmware version to the release the node offered (issue 14:
        // what detection and the quarantine release check trust, not the device's own report).
        var moved = await audit.CommitAsync(async (transaction, token) =>
        {
            if (!await store.TryMoveDeviceAsync(transaction, rollout.Id, deviceId, Unfinished, state, detail, token))
            {
                return AuditedOutcome<bool>.Nothing(false);
            }

            if (installed is not null)
            {
                await devices.SetFirmwareVersionAsync(transaction, deviceId, installed, token);
                record = record with { Details = new Dictionary<string, string>(record.Details!) { ["firmware-version"] = installed } };
            }

            return AuditedOutcome<bool>.Done(true, [record], failed is null ? [] : [failed]);
        }, cancellationToken);
        if (moved.Value && failed is not null)
        {
            await events.PublishCommittedAsync([failed], cancellationToken);
        }
    }

    // Ends a running rollout with its entry (and event) in one transaction; false when it was not running any more.
    private async Task<bool> TrySetStateAsync(long id, RolloutState to, string? reason, AuditRecord record, SecurityEvent? securityEvent, CancellationToken cancellationToken) =>
        (await audit.CommitAsync(async (transaction, token) =>
            await store.TrySetStateAsync(transaction, id, [RolloutState.Running], to, reason, token)
                ? AuditedOutcome<bool>.Done(true, [record], securityEvent is null ? [] : [securityEvent])
                : AuditedOutcome<bool>.Nothing(false), cancellationToken)).Value;

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Rollout {Rollout} aborted: {Reason}")]
    private static partial void RolloutAborted(ILogger logger, long rollout, string reason);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Advancing rollouts failed; the next tick tries again")]
    private static partial void TickFailed(ILogger logger, Exception exception);
}
