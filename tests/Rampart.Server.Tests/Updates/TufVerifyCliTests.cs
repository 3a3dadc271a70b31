using Rampart.Server.Keys;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Updates;
using Rampart.Testing;

namespace Rampart.Server.Tests.Updates;

/// <summary><c>rampart keys verify</c>: the devices' TUF client from the command line, over a repository directory.</summary>
public sealed class TufVerifyCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Verify_passes_a_repository_and_its_target_and_with_kept_metadata_refuses_a_rolled_back_timestamp_with_exit_1()
    {
        var data = _temp.Sub("data");
        using var repository = new TufRepository(data, new KeyProtector(null), TimeProvider.System);
        await repository.InitializeAsync(CancellationToken.None);
        await repository.AddTargetAsync("fw.bin", [1, 2, 3], null, CancellationToken.None);
        var timestamp = Path.Combine(repository.MetadataDirectory, "timestamp.json");
        var older = await File.ReadAllBytesAsync(timestamp);
        await repository.AddTargetAsync("fw-2.bin", [4, 5, 6], null, CancellationToken.None);
        string[] verify = ["keys", "verify", "--root", Path.Combine(repository.MetadataDirectory, "1.root.json"), "--repository", Path.Combine(data, "tuf"), "--metadata", _temp.Sub("kept")];

        var passed = await RampartCli.RunAsync([.. verify, "--target", "fw-2.bin"]);
        Assert.True(passed.ExitCode == 0, passed.Output);
        Assert.Contains("target fw-2.bin: 3 bytes, listed by targets, length and sha256 verified", passed.Output, StringComparison.Ordinal);

        await File.WriteAllBytesAsync(timestamp, older);
        var refused = await RampartCli.RunAsync(verify);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refused (Rollback)", refused.Output, StringComparison.Ordinal);

        var absent = await RampartCli.RunAsync("keys", "verify", "--root", Path.Combine(repository.MetadataDirectory, "1.root.json"));
        Assert.Equal(2, absent.ExitCode);
        Assert.Contains("exactly one of --repository DIR and --https URL", absent.Output, StringComparison.Ordinal);
    }
}
