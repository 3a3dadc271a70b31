using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Updates;
using Rampart.Updates.Releases;

namespace Rampart.Detection.Response;

/// <summary>
/// Releasing a quarantined device (issue 14, item 5): an operator asks, and the device must have sent
/// a posture report since it was quarantined whose firmware measurement is the image hash of the
/// release it says it runs (<c>sha256:&lt;hex&gt;</c> of that release's image). A device that cannot show
/// the firmware it should run stays confined, whoever asks.
/// </summary>
public sealed class QuarantineRelease(InventoryService inventory, IReleaseStore releases, DetectionEngine engine)
{
    /// <summary>Checks the device's last posture and releases it; throws a conflict that says what is missing.</summary>
    public async Task<Device> ReleaseAsync(string deviceId, string reason, string actor, CancellationToken cancellationToken)
    {
        var device = await inventory.GetAsync(deviceId, cancellationToken);
        if (device.State != DeviceState.Quarantined)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"device {deviceId} is {device.State.ToString().ToLowerInvariant()}, not quarantined");
        }

        var posture = engine.Read(deviceId, p => (p.FirmwareVersion, p.Measurement, p.PostureWindowStart));
        if (posture.PostureWindowStart is not { } reported || reported < device.Updated || posture.Measurement is null || posture.FirmwareVersion is null)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} has sent no posture report with its firmware version and measurement since it was quarantined at {device.Updated:u}; it must report before it can be released");
        }

        var release = device.Model is null ? null : await releases.GetAsync(Release.IdOf(device.Model, posture.FirmwareVersion), cancellationToken);
        if (release is null)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} reports firmware {posture.FirmwareVersion}, and no release {posture.FirmwareVersion} of model {device.Model ?? "(none)"} is known: its measurement cannot be checked");
        }

        var expected = "sha256:" + release.ImageSha256;
        if (!string.Equals(posture.Measurement, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new FleetException(FleetErrorKind.Conflict,
                $"device {deviceId} reports the measurement {Echo.Of(posture.Measurement)}, not {expected} of release {release.Id}: it stays quarantined");
        }

        await inventory.ReleaseAsync(deviceId, $"{reason} (posture of {reported:u} matches release {release.Id})", actor, cancellationToken);
        return await inventory.GetAsync(deviceId, cancellationToken);
    }
}
