using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Fleet.Audit;
using Rampart.Server.Admin;
using Rampart.Server.Updates;
using Rampart.Updates.Firmware;
using Rampart.Updates.Lms;
using Rampart.Updates.Releases;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Tests.Updates;

/// <summary>
/// Firmware key rotation (issue 20, "Key rotation without downtime"): on the running node, new ECDSA,
/// LMS and ML-DSA-65 keys replace the old ones, and devices that pinned the old keys at provisioning
/// install releases signed by the new ones after following the rotation the old keys signed — through
/// TUF, over real mTLS and HTTPS, with no re-provisioning. A rotation the pinned keys did not sign moves
/// nobody, even when the TUF targets role publishes it.
/// </summary>
public sealed class FirmwareKeyRotationTests
{
    [Fact]
    public async Task Devices_pinned_to_the_old_firmware_keys_follow_rotations_the_old_keys_signed_and_install_what_the_new_keys_sign()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        var early = await fleet.DeviceAsync("meter-1", "meter", healthy: _ => true);
        var strict = await fleet.DeviceAsync("meter-2", "meter", healthy: _ => true, pinMlDsa: true);
        var asleep = await fleet.DeviceAsync("meter-3", "meter", healthy: _ => true, online: false);
        var signing = fleet.Node.Get<FirmwareSigningKeys>();
        var original = await signing.PublicKeysAsync(CancellationToken.None);
        Assert.Equal(0, original["rotations"]!.GetValue<long>());

        var before = await fleet.ReleaseAsync("meter", "1.1.0", svn: 1);
        await InstallAsync(early, before, "1.1.0");

        using var admin = new AdminClient(fleet.Node.Node.Node.AdminSocketPath);
        var first = await admin.SendAsync<FirmwareSigningKeys.RotationResult>(HttpMethod.Post, "api/v1/firmware/keys/rotate", CancellationToken.None);
        Assert.Equal((1L, true, FirmwareKeyRotation.TargetName(1)), (first.Sequence, first.Published, first.Target));
        Assert.Equal((1, false), (first.Resigned, first.OlderReleasesLeft));
        Assert.Equal(original["keySet"]!.GetValue<string>(), first.PreviousKeySet);
        var rotated = await signing.PublicKeysAsync(CancellationToken.None);
        Assert.Equal(first.NewKeySet, rotated["keySet"]!.GetValue<string>());
        Assert.NotEqual(original["ecdsaP256"]!.GetValue<string>(), rotated["ecdsaP256"]!.GetValue<string>());
        Assert.NotEqual(original["lms"]!.GetValue<string>(), rotated["lms"]!.GetValue<string>());
        Assert.NotEqual(original["mlDsa65"]!.GetValue<string>(), rotated["mlDsa65"]!.GetValue<string>());
        Assert.Equal(1024 - first.Resigned, rotated["lmsRemaining"]!.GetValue<long>());
        Assert.Equal(1, rotated["rotations"]!.GetValue<long>());

        // A release the new keys signed installs on devices provisioned with the old ones, ML-DSA-65 checked or not.
        var second = await fleet.ReleaseAsync("meter", "1.2.0", svn: 2);
        await InstallAsync(early, second, "1.2.0");
        await InstallAsync(strict, second, "1.2.0");
        Assert.Equal(first.NewKeySet, TrustedKeySet(early));
        Assert.Equal(first.NewKeySet, TrustedKeySet(strict));

        // A device provisioned after the rotation skips it (not from its keys) and installs as well — the release
        // made before the rotation too: the rotation signed its manifest again with the new keys.
        var late = await fleet.DeviceAsync("meter-4", "meter", healthy: _ => true);
        await InstallAsync(late, before, "1.1.0");
        await InstallAsync(late, second, "1.2.0");

        // A second rotation: a device that slept through both follows the chain in one check.
        var secondRotation = await admin.SendAsync<FirmwareSigningKeys.RotationResult>(HttpMethod.Post, "api/v1/firmware/keys/rotate", CancellationToken.None);
        Assert.Equal(2, secondRotation.Sequence);
        Assert.Equal(first.NewKeySet, secondRotation.PreviousKeySet);
        Assert.Equal(2, secondRotation.Resigned);
        var third = await fleet.ReleaseAsync("meter", "1.3.0", svn: 3);
        await asleep.StartAsync();
        await InstallAsync(asleep, third, "1.3.0");
        await InstallAsync(early, third, "1.3.0");
        Assert.Equal(secondRotation.NewKeySet, TrustedKeySet(asleep));

        // Each rotation is audited with what it handed over, and kept beside the keys as it was published.
        var entries = await fleet.Node.Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).Where(e => e.Action == FirmwareSigningKeys.RotatedAction).ToListAsync();
        Assert.Equal(2, entries.Count);
        Assert.Contains(first.NewKeySet, entries[0].Details, StringComparison.Ordinal);
        Assert.Contains(secondRotation.NewKeySet, entries[1].Details, StringComparison.Ordinal);
        var keys = Path.Combine(fleet.Node.Node.Node.DataDirectory, "keys");
        Assert.True(File.Exists(Path.Combine(keys, FirmwareKeyRotation.TargetName(2))));
        Assert.Empty(Directory.GetFiles(keys, "*-next*"));
    }

    [Fact]
    public async Task A_rotation_the_pinned_keys_did_not_sign_moves_no_device_even_when_the_tuf_targets_role_publishes_it()
    {
        using var temp = new Rampart.Testing.TempDirectory();
        await using var fleet = await UpdateFleet.StartAsync();
        var device = await fleet.DeviceAsync("valve-1", "valve", healthy: _ => true);
        var pinned = FirmwareKeySet.FromJson(Pinned(await fleet.Node.Get<FirmwareSigningKeys>().PublicKeysAsync(CancellationToken.None)))!;

        // An attacker holding the TUF targets key (the node's) and keys of its own: a rotation claiming to hand
        // over from the pinned keys, signed by the attacker's, and a release signed by the attacker's keys.
        using var attackerEcdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var attackerLms = await LmsSigner.CreateAsync(LmsType.Sha256M32H10, LmOtsType.Sha256N32W8, new FileLmsStateStore(temp.Sub("attacker.state")), CancellationToken.None);
        var forged = await new FirmwareKeyRotation(1, pinned.Id, FirmwareKeySet.Of(attackerEcdsa, attackerLms.PublicKey, null))
            .SignAsync(attackerEcdsa, attackerLms, null, CancellationToken.None);
        var image = RandomNumberGenerator.GetBytes(4096);
        var manifest = await SignedManifest.SignAsync(FirmwareManifest.For("valve", "6.6.6", 9, [], image), attackerEcdsa, attackerLms, CancellationToken.None);
        var repository = fleet.Node.Get<TufRepository>();
        Assert.True(await repository.AddTargetsAsync(
        [
            new TufRepository.NewTarget(FirmwareKeyRotation.TargetName(1), forged, null),
            new TufRepository.NewTarget("valve-6.6.6.bin", image, null),
            new TufRepository.NewTarget("valve-6.6.6.manifest.json", manifest, null),
        ], CancellationToken.None));

        await device.Updater.UpdateAsync(new FirmwareDirective(777, "valve-6.6.6", "6.6.6", 9, "valve-6.6.6.bin", "valve-6.6.6.manifest.json"), CancellationToken.None);

        Assert.Equal("the ECDSA signature does not verify", device.Updater.LastRefusal);
        Assert.Equal("1.0.0", device.Slots.Installed.Version);
        Assert.Equal(pinned.Id, TrustedKeySet(device));

        // The node's own rotation comes next (number 2) and still moves the device.
        using var admin = new AdminClient(fleet.Node.Node.Node.AdminSocketPath);
        var rotation = await admin.SendAsync<FirmwareSigningKeys.RotationResult>(HttpMethod.Post, "api/v1/firmware/keys/rotate", CancellationToken.None);
        Assert.Equal(2, rotation.Sequence);
        await InstallAsync(device, await fleet.ReleaseAsync("valve", "1.1.0", svn: 1), "1.1.0");
        Assert.Equal(rotation.NewKeySet, TrustedKeySet(device));
    }

    private static async Task InstallAsync(SimulatedUpdatingDevice device, Release release, string version)
    {
        await device.Updater.UpdateAsync(new FirmwareDirective(Random.Shared.NextInt64(1, long.MaxValue), release.Id, release.Version, release.SecurityVersion, release.ImageTarget, release.ManifestTarget), CancellationToken.None);
        Assert.True(device.Slots.Installed.Version == version, $"{device.Id}: {device.Updater.LastRefusal}");
    }

    // The key set the device trusts now: its key state file once it examined a rotation.
    private static string TrustedKeySet(SimulatedUpdatingDevice device) =>
        FirmwareKeySet.FromJson(JsonNode.Parse(File.ReadAllBytes(Path.Combine(device.Directory, "firmware-keys.json")))!["keys"])!.Id;

    private static JsonObject Pinned(JsonObject keys)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(keys["ecdsaP256"]!.GetValue<string>());
        return new JsonObject { ["ecdsaP256"] = Convert.ToHexStringLower(ecdsa.ExportSubjectPublicKeyInfo()), ["lms"] = keys["lms"]!.GetValue<string>() };
    }
}
