using System.Text;
using Rampart.Server.Keys;
using Rampart.Server.Updates;
using Rampart.Testing;

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
}
