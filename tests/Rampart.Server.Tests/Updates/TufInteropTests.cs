using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Server.Updates;
using Rampart.Testing;

namespace Rampart.Server.Tests.Updates;

/// <summary>tuf-js (npm, an unmodified TUF client) against a running node's repository over HTTPS.</summary>
public sealed class TufInteropTests : NodeTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string Script => Path.Combine(TestFiles.RepositoryRoot, "tests", "interop", "tufjs-update.mjs");

    private async Task<JsonElement> UpdateAsync(string work, string target)
    {
        var data = Node.Node.DataDirectory;
        var (exit, output) = await RunningProcess.RunAsync("node",
            [Script, Node.Node.HttpsUri.ToString().TrimEnd('/'), Path.Combine(data, "tuf", "metadata", "1.root.json"), work, target], Patience,
            environment: new Dictionary<string, string> { ["NODE_EXTRA_CA_CERTS"] = Path.Combine(data, "ca-root.crt.pem") });
        Assert.True(exit == 0, output);
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    [Fact]
    public async Task Tuf_js_refreshes_downloads_and_verifies_a_target_and_refuses_a_tampered_one_and_a_rolled_back_timestamp()
    {
        var repository = Node.Node.Services.GetRequiredService<TufRepository>();
        var image = RandomNumberGenerator.GetBytes(10_000);
        await repository.AddTargetAsync("meter-2.1.0.bin", image, new JsonObject { ["model"] = "meter", ["version"] = "2.1.0", ["svn"] = 7 }, CancellationToken.None);
        var work = Temp("client");

        var first = await UpdateAsync(work, "meter-2.1.0.bin");
        Assert.True(first.TryGetProperty("ok", out _), first.ToString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(image)), first.GetProperty("sha256").GetString());
        Assert.Equal(7, first.GetProperty("custom").GetProperty("svn").GetInt32());

        // A tampered image on the server: tuf-js refuses it (hash mismatch), in a fresh client directory.
        await repository.AddTargetAsync("meter-2.2.0.bin", RandomNumberGenerator.GetBytes(5_000), null, CancellationToken.None);
        var stored = Directory.EnumerateFiles(repository.TargetsDirectory, "*.meter-2.2.0.bin").Single();
        var bytes = File.ReadAllBytes(stored);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(stored, bytes);
        var tampered = await UpdateAsync(Temp("client-2"), "meter-2.2.0.bin");
        Assert.True(tampered.TryGetProperty("error", out _), tampered.ToString());

        // A rolled-back timestamp: the client that saw the newest one refuses an older one.
        var timestampPath = Path.Combine(repository.MetadataDirectory, "timestamp.json");
        var older = File.ReadAllBytes(timestampPath);
        await repository.AddTargetAsync("meter-2.3.0.bin", RandomNumberGenerator.GetBytes(100), null, CancellationToken.None);
        Assert.True((await UpdateAsync(work, "meter-2.3.0.bin")).TryGetProperty("ok", out _));
        File.WriteAllBytes(timestampPath, older);
        var rolledBack = await UpdateAsync(work, "meter-2.1.0.bin");
        Assert.True(rolledBack.TryGetProperty("error", out var error), rolledBack.ToString());
        Assert.Contains("version", error.GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Rampart_keys_verify_checks_the_node_over_HTTPS_as_a_device_would_and_downloads_a_target()
    {
        var repository = Node.Node.Services.GetRequiredService<TufRepository>();
        await repository.AddTargetAsync("meter-2.1.0.bin", RandomNumberGenerator.GetBytes(1_000), null, CancellationToken.None);
        var data = Node.Node.DataDirectory;

        var (exit, output) = await Rampart.Server.Tests.EndToEnd.RampartCli.RunAsync("keys", "verify", "--root", Path.Combine(data, "tuf", "metadata", "1.root.json"),
            "--https", Node.Node.HttpsUri.ToString(), "--data", data, "--target", "meter-2.1.0.bin");

        Assert.True(exit == 0, output);
        Assert.Contains("target meter-2.1.0.bin: 1000 bytes, listed by targets, length and sha256 verified", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_repository_serves_only_plain_file_names()
    {
        using var client = Node.HttpsClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("tuf/metadata/1.root.json")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("tuf/metadata/..%2F..%2Frampart.db")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("tuf/metadata/.hidden")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("tuf/targets/nothing.bin")).StatusCode);
    }
}
