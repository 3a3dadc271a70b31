using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Rampart.Device.Updates;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Gateway;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Tests.Updates;

/// <summary>The TUF root ceremony with keys made and used offline, and update keys encrypted at rest.</summary>
public sealed class KeyCeremonyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_root_moves_to_an_offline_key_in_a_ceremony_and_a_device_follows_the_rotation()
    {
        await using var node = await GatewayNode.StartAsync();
        var data = node.Node.Node.DataDirectory;
        var passphrase = _temp.Sub("passphrase");
        await File.WriteAllTextAsync(passphrase, "correct horse battery staple\n");
        var offlineKey = _temp.Sub("offline-root.key.pem");

        // On the offline machine: a new root key, encrypted.
        var generate = await RampartCli.RunAsync("keys", "generate", "--out", offlineKey, "--passphrase-file", passphrase);
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Contains("ENCRYPTED PRIVATE KEY", await File.ReadAllTextAsync(offlineKey), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(offlineKey));

        // Node: prepare root 2 naming the offline key. Offline: sign it. Node: import (it adds the old root's signature).
        var prepared = _temp.Sub("root-2.json");
        var prepare = await RampartCli.RunAsync("keys", "root", "prepare", "--root-key", offlineKey + ".pub.pem", "--out", prepared, "--data", data);
        Assert.True(prepare.ExitCode == 0, prepare.Output);
        var wrong = _temp.Sub("wrong");
        await File.WriteAllTextAsync(wrong, "not the passphrase at all\n");
        var refused = await RampartCli.RunAsync("keys", "sign", "--key", offlineKey, "--passphrase-file", wrong, "--in", prepared, "--out", _temp.Sub("x.json"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("wrong passphrase", refused.Output, StringComparison.Ordinal);
        var signature = _temp.Sub("sig.json");
        var sign = await RampartCli.RunAsync("keys", "sign", "--key", offlineKey, "--passphrase-file", passphrase, "--in", prepared, "--out", signature);
        Assert.True(sign.ExitCode == 0, sign.Output);
        var import = await RampartCli.RunAsync("keys", "root", "import", "--in", prepared, "--signature", signature, "--data", data);
        Assert.True(import.ExitCode == 0, import.Output);
        Assert.Contains("root version 2 published", import.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "keys", "tuf-root.key.pem")), "the node's old root key should be gone once the root is offline");

        // A device provisioned with root 1 follows the rotation (signed by old and new root) and keeps root 2.
        using var repository = new HttpsTufRepository(node.Node.Node.HttpsUri, node.Root);
        var client = new TufClient(repository, await File.ReadAllBytesAsync(Path.Combine(data, "tuf", "metadata", "1.root.json")), TimeProvider.System);
        await client.RefreshAsync(CancellationToken.None);
        Assert.Contains("\"version\":2", Encoding.UTF8.GetString(client.TrustedRoot).Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        // Root 3 needing two of two new keys, signed by only one of them, is refused (key compromise below threshold).
        var second = _temp.Sub("second.key.pem");
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "generate", "--out", second)).ExitCode);
        var prepared3 = _temp.Sub("root-3.json");
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "root", "prepare", "--root-key", offlineKey + ".pub.pem", "--root-key", second + ".pub.pem",
            "--threshold", "2", "--out", prepared3, "--data", data)).ExitCode);
        var onlyOne = _temp.Sub("sig3.json");
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "sign", "--key", second, "--in", prepared3, "--out", onlyOne)).ExitCode);
        var belowThreshold = await RampartCli.RunAsync("keys", "root", "import", "--in", prepared3, "--signature", onlyOne, "--data", data);
        Assert.Equal(2, belowThreshold.ExitCode);
        Assert.Contains("do not meet the root threshold", belowThreshold.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "tuf", "metadata", "3.root.json")));
    }

    [Fact]
    public async Task With_the_targets_key_offline_a_release_waits_for_an_offline_signature_and_then_reaches_devices()
    {
        await using var fleet = await UpdateFleet.StartAsync();
        var data = fleet.Node.Node.Node.DataDirectory;
        var device = await fleet.DeviceAsync("hvac-0", "hvac", healthy: _ => true);

        // Move the targets role to an offline key: a root rotation the node's own root key signs.
        var targetsKey = _temp.Sub("targets.key.pem");
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "generate", "--out", targetsKey)).ExitCode);
        var root2 = _temp.Sub("root-2.json");
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "root", "prepare", "--targets-key", targetsKey + ".pub.pem", "--out", root2, "--data", data)).ExitCode);
        var rotated = await RampartCli.RunAsync("keys", "root", "import", "--in", root2, "--data", data);
        Assert.True(rotated.ExitCode == 0, rotated.Output);
        Assert.False(File.Exists(Path.Combine(data, "keys", "tuf-targets.key.pem")));

        // A release is signed and stored, but its targets metadata waits; a rollout of it is refused.
        var release = await fleet.ReleaseAsync("hvac", "5.0.0", svn: 3);
        var rollouts = fleet.Node.Get<RolloutService>();
        var waiting = await Assert.ThrowsAsync<Rampart.Fleet.Errors.FleetException>(() =>
            rollouts.CreateAsync(release.Id, "model=hvac", new Rampart.Updates.Rollouts.RolloutPolicy { CanaryCount = 1, MinimumExecuted = 1, RatePerMinute = 600 }, "op", CancellationToken.None));
        Assert.Contains("waits for the offline targets key", waiting.Message, StringComparison.Ordinal);

        // Offline: sign the prepared targets. A signature by another key is refused; the targets key's is published.
        var prepared = _temp.Sub("targets.json");
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "targets", "prepare", "--out", prepared, "--data", data)).ExitCode);
        var stranger = _temp.Sub("stranger.key.pem");
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "generate", "--out", stranger)).ExitCode);
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "sign", "--key", stranger, "--in", prepared, "--out", _temp.Sub("bad.sig"))).ExitCode);
        var refused = await RampartCli.RunAsync("keys", "targets", "import", "--in", prepared, "--signature", _temp.Sub("bad.sig"), "--data", data);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("threshold of the root's targets role", refused.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await RampartCli.RunAsync("keys", "sign", "--key", targetsKey, "--in", prepared, "--out", _temp.Sub("good.sig"))).ExitCode);
        var signed = await RampartCli.RunAsync("keys", "targets", "import", "--in", prepared, "--signature", _temp.Sub("good.sig"), "--data", data);
        Assert.True(signed.ExitCode == 0, signed.Output);

        // The device, provisioned with root 1, follows the rotation and installs the release.
        var created = await rollouts.CreateAsync(release.Id, "model=hvac",
            new Rampart.Updates.Rollouts.RolloutPolicy { CanaryCount = 1, MinimumExecuted = 1, RatePerMinute = 600 }, "op", CancellationToken.None);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while ((await rollouts.StatusAsync(created.Rollout.Id, CancellationToken.None)).Rollout.State != Rampart.Updates.Rollouts.RolloutState.Completed)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the rollout did not complete: {device.Updater.LastRefusal}");
            await Task.Delay(200);
        }

        Assert.Equal("5.0.0", device.Slots.Installed.Version);
    }

    [Fact]
    public async Task With_a_passphrase_every_update_signing_key_is_encrypted_and_a_wrong_passphrase_stops_the_node()
    {
        var data = _temp.Sub("data");
        var passphrase = _temp.Sub("passphrase");
        await File.WriteAllTextAsync(passphrase, "a long enough node passphrase\n");
        var settings = new Dictionary<string, string?> { ["Rampart:Keys:PassphraseFile"] = passphrase };
        await using (var node = await TestNode.StartAsync(data, settings))
        {
            // Signing a manifest creates the firmware keys.
            await node.Node.Services.GetRequiredService<FirmwareSigningKeys>().PublicKeysAsync(CancellationToken.None);
        }

        foreach (var role in new[] { "root", "targets", "snapshot", "timestamp" })
        {
            Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", await File.ReadAllTextAsync(Path.Combine(data, "keys", $"tuf-{role}.key.pem")), StringComparison.Ordinal);
        }

        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", await File.ReadAllTextAsync(Path.Combine(data, "keys", "firmware-ecdsa.key.pem")), StringComparison.Ordinal);
        Assert.StartsWith("RAMPART SEALED SECRET v1", await File.ReadAllTextAsync(Path.Combine(data, "keys", "firmware-lms.key")), StringComparison.Ordinal);

        await File.WriteAllTextAsync(passphrase, "some other passphrase here\n");
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestNode.StartAsync(data, settings));
        Assert.Contains("wrong passphrase", failure.ToString(), StringComparison.Ordinal);
    }
}
