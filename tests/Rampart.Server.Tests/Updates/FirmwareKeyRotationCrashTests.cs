using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Firmware;

namespace Rampart.Server.Tests.Updates;

/// <summary>
/// <c>rampart keys firmware rotate</c> against a real node process that dies by SIGKILL between the
/// rotation's durable steps (<see cref="CrashPoint"/>): before the commit, the restarted node signs with
/// the old keys and the log has no <c>firmware.keys-rotated</c>; after it, the restarted node finishes the
/// rotation — new keys, the rotation published as a TUF target that the TUF client verifies — and the
/// log has exactly one entry naming them. Never the new keys without their entry, nor the entry without them.
/// </summary>
public sealed class FirmwareKeyRotationCrashTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("firmware-rotation-prepared", false)]
    [InlineData("firmware-rotation-committed", true)]
    [InlineData("firmware-rotation-published", true)]
    public async Task A_node_killed_between_the_steps_of_a_firmware_key_rotation_restarts_with_the_new_keys_and_their_entry_or_neither(string point, bool rotated)
    {
        var data = _temp.Sub(point);
        string before;
        using (var node = RampartCli.Serve(data, environment: new Dictionary<string, string> { [CrashPoint.Variable] = point }))
        {
            var uri = await RampartCli.WaitUntilReadyAsync(node);
            before = (await KeysAsync(data, uri))["keySet"]!.GetValue<string>();

            var (exit, output) = await RampartCli.RunAsync("keys", "firmware", "rotate", "--data", data);

            Assert.True(exit != 0, output);
            Assert.DoesNotContain("firmware keys rotated", output, StringComparison.Ordinal);
            Assert.NotEqual(0, await node.WaitForExitAsync(RampartCli.Patience));
        }

        Assert.True(File.Exists(Path.Combine(data, "keys", "firmware-key-rotation-next.json")), "the rotation was prepared when the node died");

        string after;
        using (var node = RampartCli.Serve(data))
        {
            var uri = await RampartCli.WaitUntilReadyAsync(node);
            var keys = await KeysAsync(data, uri);
            after = keys["keySet"]!.GetValue<string>();
            Assert.Equal(rotated ? 1 : 0, keys["rotations"]!.GetValue<long>());
            Assert.Equal(rotated, after != before);

            // Published through TUF as a device sees it (the TUF client's every check), or not at all.
            var verify = await RampartCli.RunAsync("keys", "verify", "--root", Path.Combine(data, "tuf", "metadata", "1.root.json"),
                "--https", uri.ToString(), "--ca", Path.Combine(data, "ca-root.crt.pem"), "--target", FirmwareKeyRotation.TargetName(1));
            Assert.True(rotated ? verify.ExitCode == 0 : verify.ExitCode != 0, verify.Output);
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(data, "keys"), "*-next*"));
        var entries = new List<AuditEntry>();
        await using (var offline = await OfflineNode.OpenAsync(data, CancellationToken.None))
        {
            await foreach (var entry in offline.Services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None))
            {
                if (entry.Action == FirmwareSigningKeys.RotatedAction)
                {
                    entries.Add(entry);
                }
            }
        }

        if (rotated)
        {
            using var details = JsonDocument.Parse(Assert.Single(entries).Details);
            Assert.Equal(after, details.RootElement.GetProperty("new-key-set").GetString());
            Assert.Equal(before, details.RootElement.GetProperty("previous-key-set").GetString());
        }
        else
        {
            Assert.Empty(entries);
        }

        var audit = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(audit.ExitCode == 0, audit.Output);
    }

    private async Task<JsonObject> KeysAsync(string data, Uri uri)
    {
        var file = _temp.Sub(Guid.NewGuid().ToString("n") + ".json");
        var (exit, output) = await RunningProcess.RunAsync("curl", ["-sS", "--fail", "--cacert", Path.Combine(data, "ca-root.crt.pem"), "-o", file, new Uri(uri, "firmware/keys.json").ToString()], RampartCli.Patience);
        Assert.True(exit == 0, output);
        return JsonNode.Parse(await File.ReadAllBytesAsync(file))!.AsObject();
    }
}
