using System.Security.Cryptography;
using System.Text.Json;
using Rampart.Testing;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Tests.Updates;

/// <summary>
/// Rampart's TUF client against a repository it did not sign: canonical JSON and signatures from tuf-js's
/// library and Node's crypto (Ed25519, RSASSA-PSS-SHA256, ECDSA P-256), a root rotation, delegations with
/// an escaped role name and a hash prefix, SHA-256 and SHA-512. tuf-js accepts the same repository first.
/// </summary>
public sealed class TufJsRepositoryInteropTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Rampart_follows_a_repository_signed_by_tuf_js_and_node_crypto_through_its_delegations()
    {
        var repository = _temp.Sub("repo");
        var (exit, output) = await RunningProcess.RunAsync("node",
            [Path.Combine(TestFiles.RepositoryRoot, "tests", "interop", "tufjs-repository.mjs"), repository], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, output);
        var written = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.True(written.TryGetProperty("ok", out _), written.ToString());

        var store = new DirectoryTrustedMetadataStore(_temp.Sub("trusted"));
        var client = new TufClient(new DirectoryTufRepository(repository), store, File.ReadAllBytes(Path.Combine(repository, "metadata", "1.root.json")), TimeProvider.System);

        var meter = await client.DownloadTargetAsync("fw/meter-2.0.bin", CancellationToken.None);
        Assert.Equal(written.GetProperty("meter").GetString(), Convert.ToHexStringLower(SHA256.HashData(meter)));
        Assert.Equal("vendor/meter", (await client.FindTargetAsync("fw/meter-2.0.bin", CancellationToken.None))!.Role);
        Assert.Equal("other", (await client.FindTargetAsync("fw/other.bin", CancellationToken.None))!.Role);
        Assert.Equal("top-level target"u8.ToArray(), await client.DownloadTargetAsync("readme.txt", CancellationToken.None));
        Assert.Equal(2, System.Text.Json.Nodes.JsonNode.Parse(client.TrustedRoot)!["signed"]!["version"]!.GetValue<long>());
        Assert.True(File.Exists(store.PathOf("vendor/meter")));
    }
}
