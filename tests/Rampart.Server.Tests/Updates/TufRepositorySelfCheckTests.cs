using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rampart.Fleet.Errors;
using Rampart.Server.Keys;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Tests.Updates;

/// <summary>The node checks what it published with the devices' own TUF client.</summary>
public sealed class TufRepositorySelfCheckTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_published_repository_passes_the_client_check_and_a_damaged_one_is_reported_with_the_reason()
    {
        using var repository = new TufRepository(_temp.Sub("data"), new KeyProtector(null), _clock);
        await repository.InitializeAsync(CancellationToken.None);
        await repository.AddTargetAsync("fw.bin", [1, 2, 3], null, CancellationToken.None);
        Assert.Null(await repository.CheckAsClientAsync(CancellationToken.None));

        // A snapshot changed on disk after it was signed: the hash the timestamp signed no longer matches.
        var snapshot = Directory.GetFiles(repository.MetadataDirectory, "*.snapshot.json").Order(StringComparer.Ordinal).Last();
        File.WriteAllText(snapshot, File.ReadAllText(snapshot, Encoding.UTF8).Replace("\"version\":2", "\"version\":3", StringComparison.Ordinal), Encoding.UTF8);

        Assert.Contains("snapshot", await repository.CheckAsClientAsync(CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_root_import_that_lists_one_key_twice_is_refused_so_no_client_is_given_metadata_it_refuses()
    {
        using var repository = new TufRepository(_temp.Sub("data"), new KeyProtector(null), _clock);
        await repository.InitializeAsync(CancellationToken.None);
        using var offline = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var prepared = await repository.PrepareRootAsync(new TufRepository.RoleChange([offline], 1), new TufRepository.RoleChange(null, null), CancellationToken.None);
        var signature = SignedMetadata.Signature(prepared, offline);

        var error = await Assert.ThrowsAsync<FleetException>(() => repository.ImportRootAsync(prepared, [signature, (JsonObject)signature.DeepClone()], CancellationToken.None));
        Assert.Contains("signed more than once", error.Message, StringComparison.Ordinal);

        // With the node's own root key's signature among them, the node does not add it a second time,
        // so clients accept what is published.
        using var nodeKey = new KeyProtector(null).LoadEcdsa(Path.Combine(_temp.Sub("data"), "keys", "tuf-root.key.pem"));
        Assert.Equal(2, await repository.ImportRootAsync(prepared, [signature, SignedMetadata.Signature(prepared, nodeKey)], CancellationToken.None));
        Assert.Null(SignedMetadata.DuplicateKeyId(repository.CurrentRoot()));
        Assert.Null(await repository.CheckAsClientAsync(CancellationToken.None));
    }
}
