using Rampart.Testing;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

public sealed class DirectoryTufRepositoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_file_is_read_up_to_one_byte_past_the_limit_and_nothing_outside_the_directory_is_served()
    {
        var root = _temp.Sub("repo");
        Directory.CreateDirectory(Path.Combine(root, "metadata"));
        await File.WriteAllBytesAsync(Path.Combine(root, "metadata", "timestamp.json"), new byte[1000]);
        await File.WriteAllTextAsync(_temp.Sub("secret.txt"), "outside");
        var repository = new DirectoryTufRepository(root);

        Assert.Equal(101, (await repository.FetchAsync("metadata/timestamp.json", 100, CancellationToken.None))!.Length);
        Assert.Equal(1000, (await repository.FetchAsync("metadata/timestamp.json", 5000, CancellationToken.None))!.Length);
        Assert.Null(await repository.FetchAsync("metadata/1.root.json", 100, CancellationToken.None));
        Assert.Null(await repository.FetchAsync("../secret.txt", 100, CancellationToken.None));
    }
}
