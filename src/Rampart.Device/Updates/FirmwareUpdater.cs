using Rampart.Device.Connection;
using Rampart.Mqtt.Protocol;
using Rampart.Updates.Firmware;
using Rampart.Updates.Rollouts;
using Rampart.Updates.Tuf;

namespace Rampart.Device.Updates;

/// <summary>
/// The device's update client. On a directive on <c>devices/{id}/config</c> it: 1. refreshes TUF
/// metadata from the trusted metadata it keeps across reboots (every check of TUF §5: signatures,
/// thresholds, versions against what it trusted before, expiry, hashes and lengths, delegations);
/// 2. follows the firmware key rotations its keys signed (<see cref="FirmwareKeyPins"/>); 3. downloads the manifest and image the signed targets list; 4. verifies the manifest's ECDSA and
/// LMS signatures against the keys it trusts now, its model, hardware, svn (never below the installed one)
/// and the image's hash and length; 4. writes the inactive slot and boots it on trial; 5. runs the
/// health check, then commits or falls back. Progress and outcome go to
/// <c>devices/{id}/state</c>. Nothing the directive says is trusted beyond which targets to look at.
/// </summary>
public sealed class FirmwareUpdater(DeviceMqttClient client, FirmwareUpdaterOptions options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _busy = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, CancellationTokenSource> _running = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _withdrawn = new();
    private Task _current = Task.CompletedTask;

    /// <summary>Why the last update was refused or failed, if it was.</summary>
    public string? LastRefusal { get; private set; }

    /// <summary>The config topic the updater listens on.</summary>
    public string ConfigTopic => $"devices/{client.DeviceId}/config";

    /// <summary>
    /// Finishes a trial interrupted by a restart (health check, then commit or fall back), reports what
    /// the device runs, and subscribes to its config topic. Pass config messages to <see cref="OnConfig"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Slots.OnTrial)
        {
            await FinishTrialAsync(options.Slots.TrialRollout ?? 0, cancellationToken);
        }
        else
        {
            await ReportAsync(null, null, null, cancellationToken);
        }

        await client.SubscribeAsync(ConfigTopic);
    }

    /// <summary>Handles a message if it is this device's config (in the background, one update at a time); false otherwise.</summary>
    public bool OnConfig(DeviceMessage message)
    {
        if (message.Topic != ConfigTopic)
        {
            return false;
        }

        // A withdrawn rollout (aborted or cancelled): stop it if it has not begun installing, never start it.
        if (FirmwareDirective.ParseWithdrawal(message.Payload.Span) is { } withdrawn)
        {
            _withdrawn[withdrawn] = 0;
            if (_running.TryGetValue(withdrawn, out var running))
            {
                running.Cancel();
            }

            return true;
        }

        if (FirmwareDirective.Parse(message.Payload.Span) is not { } directive)
        {
            return false;
        }

        if (directive.Rollout == options.Slots.LastRollout)
        {
            return true;
        }

        _current = Task.Run(() => UpdateAsync(directive, _stopping.Token));
        return true;
    }

    /// <summary>Waits for the update in progress, if any.</summary>
    public Task IdleAsync() => _current;

    /// <summary>Runs one directive to its end (what <see cref="OnConfig"/> starts).</summary>
    public async Task UpdateAsync(FirmwareDirective directive, CancellationToken cancellationToken)
    {
        await _busy.WaitAsync(cancellationToken);
        using var withdrawal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _running[directive.Rollout] = withdrawal;
        try
        {
            if (directive.Rollout == options.Slots.LastRollout)
            {
                return;
            }

            if (_withdrawn.ContainsKey(directive.Rollout))
            {
                await OutcomeAsync(directive.Rollout, RolloutDeviceState.Failed, "withdrawn before it started", cancellationToken);
                return;
            }

            var installed = options.Slots.Installed;
            if (installed.Version == directive.Version && installed.SecurityVersion == directive.SecurityVersion)
            {
                await OutcomeAsync(directive.Rollout, RolloutDeviceState.Succeeded, "runs it already", cancellationToken);
                return;
            }

            await ReportAsync(directive.Rollout, RolloutDeviceState.Downloading, null, cancellationToken);
            var (manifest, image) = await FetchVerifiedAsync(directive, installed, withdrawal.Token);
            if (manifest is null)
            {
                await OutcomeAsync(directive.Rollout, RolloutDeviceState.Failed, LastRefusal, cancellationToken);
                return;
            }

            // Past this point the update runs to its end: a withdrawal no longer interrupts an install.
            _running.TryRemove(directive.Rollout, out _);
            withdrawal.Token.ThrowIfCancellationRequested();
            await ReportAsync(directive.Rollout, RolloutDeviceState.Installing, null, cancellationToken);
            options.Slots.InstallOnTrial(image!, new InstalledFirmware(manifest.Version, manifest.SecurityVersion), directive.Rollout);

            // The "reboot" into the new slot: what follows is what the device does on its next start.
            await FinishTrialAsync(directive.Rollout, cancellationToken);
        }
        catch (OperationCanceledException) when (withdrawal.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LastRefusal = "withdrawn while downloading";
            await OutcomeAsync(directive.Rollout, RolloutDeviceState.Failed, LastRefusal, cancellationToken);
        }
        catch (Exception exception) when (exception is TufException or HttpRequestException or IOException or InvalidDataException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LastRefusal = exception.Message;
            await OutcomeAsync(directive.Rollout, RolloutDeviceState.Failed, exception.Message, cancellationToken);
        }
        finally
        {
            _running.TryRemove(directive.Rollout, out _);
            _busy.Release();
        }
    }

    private async Task<(FirmwareManifest? Manifest, byte[]? Image)> FetchVerifiedAsync(FirmwareDirective directive, InstalledFirmware installed, CancellationToken cancellationToken)
    {
        // 1. TUF refresh from the trusted metadata kept across updates and reboots (each verified role is
        //    stored as it is verified, so a rolled-back or frozen repository is refused after a restart too).
        var cache = new TargetCache(options.TargetCacheDirectory ?? options.Beside("tuf-targets"));
        cache.KeepOnly([directive.ManifestTarget, directive.ImageTarget]);
        var store = new DirectoryTrustedMetadataStore(options.MetadataDirectory ?? options.Beside("tuf-metadata"));
        var bootstrap = File.Exists(options.TrustedRootPath) ? await File.ReadAllBytesAsync(options.TrustedRootPath, cancellationToken) : null;
        var tuf = new TufClient(options.Repository, store, bootstrap, options.Time, new TufClientOptions { TargetCache = cache }, options.Logger);
        await tuf.RefreshAsync(cancellationToken);

        // 2. The firmware keys trusted now: the pinned ones, moved on by every key rotation they signed.
        var checkMlDsa = options.ManifestMlDsa65Key is not null;
        var pins = new FirmwareKeyPins(options.FirmwareKeysPath ?? options.Beside("firmware-keys.json"),
            FirmwareKeySet.Of(options.ManifestEcdsaKey, options.ManifestLmsKey, options.ManifestMlDsa65Key), checkMlDsa, options.Logger);
        var keys = await pins.FollowAsync(tuf, cancellationToken);

        // 3. Manifest and image, each checked against the signed targets metadata (from the cache when it holds them).
        var signedManifest = await tuf.DownloadTargetAsync(directive.ManifestTarget, cancellationToken);
        var image = await tuf.DownloadTargetAsync(directive.ImageTarget, cancellationToken);

        // 4. Every signature, svn, image hash and length; then model, hardware and the directive itself.
        if (checkMlDsa && keys.MlDsa65 is null)
        {
            LastRefusal = "the device checks ML-DSA-65 signatures but the firmware keys it trusts have no ML-DSA-65 key";
            return (null, null);
        }

        using var ecdsa = keys.OpenEcdsa();
        var (manifest, refusal) = SignedManifest.Verify(signedManifest, ecdsa, keys.Lms, checkMlDsa ? keys.MlDsa65 : null, installed.SecurityVersion, image);
        refusal ??= manifest!.Model != options.Model ? $"the manifest is for model {manifest.Model}, not {options.Model}"
            : manifest.Hardware.Count > 0 && (options.HardwareRevision is null || !manifest.Hardware.Contains(options.HardwareRevision))
                ? $"the image supports hardware {string.Join(", ", manifest.Hardware)}, not {options.HardwareRevision ?? "(unknown)"}"
            : manifest.Version != directive.Version || manifest.SecurityVersion != directive.SecurityVersion
                ? $"the signed manifest is {manifest.Version} (svn {manifest.SecurityVersion}), not what the directive named"
            : null;
        LastRefusal = refusal;
        return refusal is null ? (manifest, image) : (null, null);
    }

    private async Task FinishTrialAsync(long rollout, CancellationToken cancellationToken)
    {
        var trying = options.Slots.Installed;
        bool healthy;
        try
        {
            healthy = await options.HealthCheck(trying, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            healthy = false;
        }

        if (healthy)
        {
            options.Slots.Commit();
            await ReportAsync(rollout, RolloutDeviceState.Succeeded, null, cancellationToken);
        }
        else
        {
            options.Slots.Fallback();
            LastRefusal = $"{trying.Version} failed its health check; back on {options.Slots.Installed.Version}";
            await ReportAsync(rollout, RolloutDeviceState.RolledBack, LastRefusal, cancellationToken);
        }
    }

    private async Task OutcomeAsync(long rollout, RolloutDeviceState state, string? detail, CancellationToken cancellationToken)
    {
        options.Slots.Remember(rollout);
        await ReportAsync(rollout, state, detail, cancellationToken);
    }

    // Not retained: the retained message on the state topic is the device's posture.
    private Task ReportAsync(long? rollout, RolloutDeviceState? state, string? detail, CancellationToken cancellationToken)
    {
        var installed = options.Slots.Installed;
        var report = new UpdateReport(installed.Version, installed.SecurityVersion, rollout, state, detail);
        options.Progress?.Invoke(report);
        return client.PublishAsync($"devices/{client.DeviceId}/state", report.ToJson(), MqttQualityOfService.AtLeastOnce, retain: false, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _current;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }
}
