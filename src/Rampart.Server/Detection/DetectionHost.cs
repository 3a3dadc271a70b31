using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Detection;
using Rampart.Detection.Alerts;
using Rampart.Detection.Baselines;
using Rampart.Detection.Metrics;
using Rampart.Detection.Response;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Gateway;

namespace Rampart.Server.Detection;

/// <summary>
/// Runs detection for the node's lifetime: 1. subscribes to the fleet event stream and observes every
/// message the broker routes (before the listeners open, so nothing slips between), 2. every window
/// (TimeProvider-driven), closes the window, judges it, raises alerts and lets the response act —
/// alert to containment in the same pass. The loop is supervised: a pass that fails is logged and
/// counted, and the next window goes on.
/// </summary>
public sealed partial class DetectionHost(
    DetectionSettings settings, BehaviourCollector collector, DetectionEngine engine, DetectionRules rules, AlertService alerts, ResponseEngine response, LimitOverrides limits, IWindowStore stored, IBaselineStore baselines,
    FleetEventStream stream, MqttGateway gateway, TimeProvider time, ILogger<DetectionHost> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<DeviceAccessChanged> _released = new();
    private FleetEventSubscription? _subscription;
    private IDisposable? _observation;
    private Task _events = Task.CompletedTask;
    private Task _windows = Task.CompletedTask;
    private DateTimeOffset _windowStart;
    private DateTimeOffset _retainedAt;
    private DateTimeOffset _baselinesSavedAt;
    private long _failures;
    private long _passes;

    /// <summary>Passes that failed since the start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Windows judged since the start.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await rules.LoadAsync(cancellationToken);
        await alerts.RefreshMeterAsync(cancellationToken);

        // Tightened limits outlive a restart: applied before the listeners open.
        await limits.SyncAsync(cancellationToken);
        if (!settings.Detection.Enabled)
        {
            return;
        }

        _windowStart = time.GetUtcNow();
        _baselinesSavedAt = _windowStart;

        // What the devices' baselines learned before a restart: each is judged by its own baseline from
        // its first window, not relearned behind its cohort (docs/detection.md, "Baselines after a restart").
        if (settings.Detection.BaselineSaveInterval > TimeSpan.Zero)
        {
            var restored = engine.RestoreBaselines(await baselines.LoadAsync(settings.Detection.MaxDevices, cancellationToken));
            LogBaselinesRestored(logger, restored);
        }

        // The windows closed before a restart go back into the profiles (history and recent level).
        if (settings.Detection.WindowRetention > TimeSpan.Zero)
        {
            engine.Restore(await stored.RecentAsync(_windowStart - settings.Detection.WindowRetention, settings.Detection.RetainedWindows, cancellationToken));
        }

        _subscription = stream.Subscribe();
        _observation = gateway.Broker.ObserveInline("#", collector.Observe);
        _events = Task.Run(() => FollowAsync(_subscription), CancellationToken.None);
        _windows = Task.Run(() => TickAsync(_stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _observation?.Dispose();
        _subscription?.Dispose();
        await Task.WhenAll(_events, _windows).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // An orderly stop keeps everything learned since the last save (a kill -9 loses at most one interval's learning).
        if (settings.Detection.Enabled && settings.Detection.BaselineSaveInterval > TimeSpan.Zero)
        {
            await _pass.WaitAsync(cancellationToken);
            try
            {
                await baselines.SaveAsync(engine.ChangedBaselines(time.GetUtcNow()), cancellationToken);
            }
            finally
            {
                _pass.Release();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _observation?.Dispose();
        _subscription?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Closes the current window now and judges it (the timer does this every window; tests and the demo may too).</summary>
    public async Task CloseWindowAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            // Releases first: the device's alerts are resolved before this window is judged, so what it
            // does after the release opens new alerts (and the response acts on them).
            while (_released.TryDequeue(out var released))
            {
                await alerts.ResolveDeviceAsync(released.DeviceId, "rampart", $"released from quarantine ({released.Reason})", cancellationToken);
            }

            // Tightened limits follow their alerts (resolved by a person or by the release above) and the
            // store (another node's, a restart): restored or applied before the window is judged.
            await limits.SyncAsync(cancellationToken);

            var end = time.GetUtcNow();
            var windows = collector.Close(_windowStart, end);
            _windowStart = end;
            var findings = await engine.EvaluateAsync(windows, cancellationToken);
            if (settings.Detection.WindowRetention > TimeSpan.Zero)
            {
                await stored.AppendAsync(windows.Select(StoredWindow.Of).ToArray(), cancellationToken);
                await stored.DeleteBeforeAsync(end - settings.Detection.WindowRetention, cancellationToken);
            }
            if (settings.Detection.BaselineSaveInterval > TimeSpan.Zero && end - _baselinesSavedAt >= settings.Detection.BaselineSaveInterval)
            {
                _baselinesSavedAt = end;
                await baselines.SaveAsync(engine.ChangedBaselines(end), cancellationToken);
            }

            if (end - _retainedAt >= TimeSpan.FromHours(1))
            {
                _retainedAt = end;
                await alerts.ApplyRetentionAsync(end, settings.Detection.ResolvedAlertRetention, cancellationToken);
                await baselines.DeleteBeforeAsync(end - settings.Detection.BaselineRetention, cancellationToken);
            }

            if (findings.Count > 0)
            {
                var changes = await alerts.RaiseAsync(findings, cancellationToken);
                await response.HandleAsync(changes, cancellationToken);
            }

            Interlocked.Increment(ref _passes);
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(settings.Detection.Window, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await CloseWindowAsync(cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Interlocked.Increment(ref _failures);
                    LogPassFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // Reads the stream at once and always: its publishers wait for slow subscribers.
    private async Task FollowAsync(FleetEventSubscription subscription)
    {
        await foreach (var fleetEvent in subscription.Events.ReadAllAsync())
        {
            try
            {
                if (fleetEvent is SecurityEventRecorded recorded)
                {
                    collector.Observe(recorded.Event);
                }
                else if (fleetEvent is DeviceAccessChanged { Change: DeviceAccessChange.Released } released)
                {
                    _released.Enqueue(released);
                }
            }
            catch (Exception exception)
            {
                Interlocked.Increment(ref _failures);
                LogPassFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(EventId = 14009, Level = LogLevel.Information, Message = "Detection restored the learned baselines of {Devices} devices")]
    private static partial void LogBaselinesRestored(ILogger logger, int devices);

    [LoggerMessage(EventId = 14001, Level = LogLevel.Error, Message = "A detection pass failed; the next window goes on")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
