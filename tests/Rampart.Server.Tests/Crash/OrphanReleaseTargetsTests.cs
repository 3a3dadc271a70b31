using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Server.Tests.Gateway;
using Rampart.Server.Updates;

namespace Rampart.Server.Tests.Crash;

/// <summary>A release's targets are published before its row commits; what a crash in between leaves is removed at the next start.</summary>
public sealed class OrphanReleaseTargetsTests
{
    private static JsonObject Custom(string release, string kind) => new() { ["release"] = release, ["kind"] = kind, ["model"] = "ghost" };

    [Fact]
    public async Task Targets_of_a_release_whose_transaction_never_committed_are_removed_at_start_and_recorded_ones_are_kept()
    {
        await using var node = await GatewayNode.StartAsync();
        var uploads = node.Get<ReleaseUploads>();
        var (sha, _) = await uploads.StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(4096)), CancellationToken.None);
        var recorded = await node.Get<ReleaseService>().AddAsync(new NewRelease("meter", "1.0.0", 1, ["rev-b"], sha, null), "test", CancellationToken.None);

        // What ReleaseService.AddAsync publishes before its transaction: here the transaction never ran (the node died).
        var repository = node.Get<TufRepository>();
        await repository.AddTargetsAsync(
        [
            new("ghost-9.9.9.bin", RandomNumberGenerator.GetBytes(1024), Custom("ghost-9.9.9", "image")),
            new("ghost-9.9.9.manifest.json", "{}"u8.ToArray(), Custom("ghost-9.9.9", "manifest")),
            new("notes.txt", "not a release's"u8.ToArray(), null),
        ], CancellationToken.None);
        var orphanFiles = Directory.GetFiles(repository.TargetsDirectory, "*.ghost-9.9.9.*");
        Assert.Equal(2, orphanFiles.Length);

        await node.RestartAsync();

        repository = node.Get<TufRepository>();
        Assert.Null(repository.TargetInfo("ghost-9.9.9.bin"));
        Assert.Null(repository.TargetInfo("ghost-9.9.9.manifest.json"));
        Assert.All(orphanFiles, file => Assert.False(File.Exists(file), $"{file} is still stored"));
        Assert.NotNull(repository.TargetInfo(recorded.ImageTarget));
        Assert.NotNull(repository.TargetInfo(recorded.ManifestTarget));
        Assert.NotNull(repository.TargetInfo("notes.txt"));
        Assert.Null(await repository.CheckAsClientAsync(CancellationToken.None));
    }
}
