using Rampart.Server.Updates;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.Updates;

/// <summary>The SDK's update client keeps its trusted TUF metadata from one update (and boot) to the next.</summary>
public sealed class SdkTrustedMetadataTests
{
    [Fact]
    public async Task The_SDK_stores_what_it_verified_owner_only_and_refuses_a_rolled_back_timestamp_at_a_later_update()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        var device = await fleet.DeviceAsync("valve-1", "valve", healthy: _ => true);
        var repository = fleet.Node.Get<TufRepository>();
        var first = await fleet.ReleaseAsync("valve", "2.0.0", svn: 2);
        var timestampAtFirst = await File.ReadAllBytesAsync(Path.Combine(repository.MetadataDirectory, "timestamp.json"));

        await device.Updater.UpdateAsync(Directive(901, first), CancellationToken.None);
        Assert.Equal("2.0.0", device.Slots.Installed.Version);
        var metadata = Path.Combine(device.Directory, "tuf-metadata");
        Assert.Equal(["root.json", "snapshot.json", "targets.json", "timestamp.json"], Directory.GetFiles(metadata).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(metadata), file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(device.Directory, "tuf-targets")).Length);

        var second = await fleet.ReleaseAsync("valve", "2.1.0", svn: 3);
        await device.Updater.UpdateAsync(Directive(902, second), CancellationToken.None);
        Assert.Equal("2.1.0", device.Slots.Installed.Version);

        // The repository (or a mirror) serves the timestamp of the first release again: refused by TUF
        // itself, at a later update with a new TUF client over the kept metadata, before any manifest is read.
        await File.WriteAllBytesAsync(Path.Combine(repository.MetadataDirectory, "timestamp.json"), timestampAtFirst);
        await device.Updater.UpdateAsync(Directive(903, second with { Version = "2.1.1" }), CancellationToken.None);
        Assert.Contains("is older than the trusted", device.Updater.LastRefusal, StringComparison.Ordinal);
        Assert.Equal("2.1.0", device.Slots.Installed.Version);
    }

    private static FirmwareDirective Directive(long rollout, Release release) =>
        new(rollout, release.Id, release.Version, release.SecurityVersion, release.ImageTarget, release.ManifestTarget);
}
