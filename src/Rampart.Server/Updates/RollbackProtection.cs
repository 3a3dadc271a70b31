using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Updates;

/// <summary>
/// The server's half of rollback protection: a device is never directed to a release whose security
/// version is below the one it reports running (the device's SDK refuses it too, and its bootloader
/// should). Judged when a rollout is planned and again just before each device is notified.
/// </summary>
public static class RollbackProtection
{
    /// <summary>Why <paramref name="release"/> must not be sent to a device running <paramref name="runs"/>, or null.</summary>
    public static string? Refusal(ReportedFirmware runs, Release release) =>
        runs.SecurityVersion > release.SecurityVersion ? $"runs security version {runs.SecurityVersion}, above the release's {release.SecurityVersion}"
        : runs.Version == release.Version && runs.SecurityVersion == release.SecurityVersion ? $"runs {release.Version} already"
        : null;
}
