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
/// release is what the hub recorded, not what the posture claims: the version of the device's last
/// update report (<c>{"update": {"installed": …}}</c>, sent by the SDK's updater when it starts), else
/// the inventory's firmware version. A device with no installed release recorded — or whose release
/// is not in the release store, or with no model — cannot be checked and stays quarantined: a device
/// that cannot show the firmware it should run stays confined, whoever asks.
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

        var installed = (await rollouts.ReportedFirmwareAsync([deviceId], cancellationToken)).TryGetValue(deviceId, out var runs) ? runs.Version : device.FirmwareVersion;
        if (installed is null || device.Model is null)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"no installed release is known for device {deviceId} ({(device.Model is null ? "it has no model" : "no update report, no firmware version in the inventory")}): its measurement cannot be checked and it stays quarantined");
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
