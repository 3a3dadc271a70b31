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
