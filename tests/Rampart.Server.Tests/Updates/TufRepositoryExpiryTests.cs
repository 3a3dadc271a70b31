using Rampart.Server.Keys;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Tests.Updates;

/// <summary>A repository without changes must not freeze its clients: metadata is re-signed before it expires.</summary>
public sealed class TufRepositoryExpiryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Snapshot_targets_and_root_are_re_signed_before_they_expire_and_a_client_keeps_updating_for_two_years()
    {
        var data = _temp.Sub("data");
        using var repository = new TufRepository(data, new KeyProtector(null), _clock);
        await repository.InitializeAsync(CancellationToken.None);
        await repository.AddTargetAsync("fw.bin", [1, 2, 3], null, CancellationToken.None);
        var client = new TufClient(new DirectoryTufRepository(Path.Combine(data, "tuf")), File.ReadAllBytes(Path.Combine(repository.MetadataDirectory, "1.root.json")), _clock);
        await client.RefreshAsync(CancellationToken.None);

        var resigned = new HashSet<string>();
        for (var hour = 0; hour < 2 * 365 * 24; hour += 6)
        {
            _clock.Advance(TimeSpan.FromHours(6));
            var refresh = await repository.RefreshAsync(CancellationToken.None);
            Assert.Empty(refresh.Warnings);
            resigned.UnionWith(refresh.Resigned);
            if (hour % (7 * 24) == 0)
            {
                await client.RefreshAsync(CancellationToken.None);
                Assert.Equal([1, 2, 3], await client.DownloadTargetAsync("fw.bin", CancellationToken.None));
                Assert.Null(await repository.CheckAsClientAsync(CancellationToken.None));
            }
        }

        Assert.Equal(["root", "snapshot", "targets", "timestamp"], resigned.Order());
        Assert.True(File.Exists(Path.Combine(repository.MetadataDirectory, "3.root.json")), "two years need two root renewals");
    }

    [Fact]
    public async Task With_the_targets_key_offline_expiring_targets_wait_for_a_signature_and_say_so()
    {
        var data = _temp.Sub("data");
        using (var online = new TufRepository(data, new KeyProtector(null), _clock))
        {
            await online.InitializeAsync(CancellationToken.None);
        }

        File.Delete(Path.Combine(data, "keys", "tuf-targets.key.pem"));
        using var repository = new TufRepository(data, new KeyProtector(null), _clock);
        _clock.Advance(TimeSpan.FromDays(50));

        var refresh = await repository.RefreshAsync(CancellationToken.None);

        Assert.Contains(refresh.Warnings, w => w.Contains("targets metadata expires", StringComparison.Ordinal));
        Assert.True(repository.HasPendingTargets);
        Assert.Equal(2, (await repository.PrepareTargetsAsync(CancellationToken.None))["version"]!.GetValue<long>());
    }
}
