using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Updates;
using Rampart.Updates.Releases;

namespace Rampart.Detection.Response;

/// <summary>
/// The one check every release from quarantine passes (issue 14, item 5; handed to
/// <see cref="InventoryService.ReleaseAsync"/> by <c>rampart device release</c> and <c>rampart alerts release</c>
/// alike): the device must have sent a posture report since it was quarantined whose firmware
/// measurement is the image hash (<c>sha256:&lt;hex&gt;</c>) of its installed release. The installed
/// release is what the node knows, never the device's word alone: the inventory's firmware version,
/// which a rollout sets when the device's update of the release the node offered it succeeded (the
/// rollout engine checks the reported version and security version against that release). The
/// device's own update report (<c>{"update": {"installed": …}}</c>) must agree with it; a device that
/// reports a version the node never installed, with no installed release known, with no model, or
/// whose release is not in the release store, stays quarantined: a device that cannot show the
/// firmware it should run stays confined, whoever asks.
/// </summary>
public sealed class QuarantineRelease(IReleaseStore releases, IRolloutStore rollouts, DetectionEngine engine) : IQuarantineReleaseCheck
{
    /// <inheritdoc />
    public async Task<string> ProveAsync(Device device, CancellationToken cancellationToken)
    {
        var deviceId = device.Id;
        var posture = engine.Read(deviceId, p => (p.FirmwareVersion, p.Measurement, p.PostureWindowStart));
        if (posture.PostureWindowStart is not { } reported || reported < device.Updated || posture.Measurement is null)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} has sent no posture report with its firmware measurement since it was quarantined at {device.Updated:u}; it must report before it can be released");
        }

        var claimed = (await rollouts.ReportedFirmwareAsync([deviceId], cancellationToken)).TryGetValue(deviceId, out var runs) ? runs.Version : null;
        var installed = device.FirmwareVersion;
        if (installed is null || device.Model is null)
        {
            var why = device.Model is null ? "it has no model"
                : claimed is not null ? $"its own update report says {Echo.Of(claimed)}, but no rollout of this node installed a release on it"
                : "no rollout of this node installed a release on it";
            throw new FleetException(FleetErrorKind.Conflict,
                $"no installed release is known for device {deviceId} ({why}): its measurement cannot be checked and it stays quarantined");
        }

        if (claimed is not null && !string.Equals(claimed, installed, StringComparison.Ordinal))
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} reports it runs {Echo.Of(claimed)}, not {Echo.Of(installed)} that its last successful rollout installed: it stays quarantined until the two agree");
        }

        var release = await releases.GetAsync(Release.IdOf(device.Model, installed), cancellationToken)
            ?? throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} runs firmware {Echo.Of(installed)}, and no release {Echo.Of(installed)} of model {device.Model} is known: its measurement cannot be checked and it stays quarantined");

        var expected = "sha256:" + release.ImageSha256;
        if (!string.Equals(posture.Measurement, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} reports the measurement {Echo.Of(posture.Measurement)}, not {expected} of its installed release {release.Id}: it stays quarantined");
        }

        return $"posture of {reported:u} matches installed release {release.Id}";
    }
}
