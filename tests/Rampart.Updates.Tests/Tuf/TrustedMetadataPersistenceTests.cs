using System.Text;
using System.Text.Json.Nodes;
using Rampart.Testing;
using Rampart.Updates.Tests.Tuf.Simulation;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>
/// Trusted metadata kept in a directory across a "reboot" (two client instances over one store):
/// rollback and freeze protection (§5.4.3, §5.5.5, §5.6.3) and fast-forward recovery (§5.3.11) hold
/// from one run to the next.
/// </summary>
public sealed class TrustedMetadataPersistenceTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private readonly SimulatedRepository _repository;
    private readonly TempDirectory _temp = new();

    public TrustedMetadataPersistenceTests()
    {
        _repository = new SimulatedRepository(_clock);
        _repository.AddTarget("fw.bin", "v1"u8.ToArray());
        _repository.Publish();
    }

    private string StoreDirectory => _temp.Sub("trusted");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task After_a_reboot_an_older_timestamp_than_the_one_trusted_before_is_refused()
    {
        var old = new Dictionary<string, byte[]>(_repository.Files);
        _repository.Publish();
        await Boot().RefreshAsync(CancellationToken.None);

        ServeOnly(old);
        var error = await Assert.ThrowsAsync<TufException>(() => Boot().RefreshAsync(CancellationToken.None));

        Assert.Equal(TufFailure.Rollback, error.Failure);
    }

    [Fact]
    public async Task After_a_reboot_a_new_timestamp_naming_an_older_snapshot_is_refused()
    {
        var oldSnapshot = _repository.SnapshotVersion;
        _repository.Publish();
        await Boot().RefreshAsync(CancellationToken.None);

        // Signed with the (compromised) timestamp key: newer timestamp, old snapshot.
        _repository.PublishTimestamp(oldSnapshot, _repository.Files[$"metadata/{oldSnapshot}.snapshot.json"]);
        var error = await Assert.ThrowsAsync<TufException>(() => Boot().RefreshAsync(CancellationToken.None));

        Assert.Equal(TufFailure.Rollback, error.Failure);
    }

    [Fact]
    public async Task After_a_reboot_a_new_snapshot_naming_older_targets_is_refused()
    {
        _repository.Publish();
        await Boot().RefreshAsync(CancellationToken.None);

        // Signed with the (compromised) snapshot and timestamp keys: a newer snapshot naming the previous targets.
        _repository.PublishSnapshot(new JsonObject { ["targets.json"] = new JsonObject { ["version"] = _repository.Top.Version - 1 } });
        var error = await Assert.ThrowsAsync<TufException>(() => Boot().RefreshAsync(CancellationToken.None));

        Assert.Equal(TufFailure.Rollback, error.Failure);
    }

    [Fact]
    public async Task After_a_reboot_a_repository_frozen_at_an_older_state_is_refused_even_before_that_state_expires()
    {
        _repository.Lifetime = TimeSpan.FromDays(30);
        _repository.Publish();
        var frozen = new Dictionary<string, byte[]>(_repository.Files);
        _repository.AddTarget("fw.bin", "v2 with the fix"u8.ToArray());
        _repository.Publish();
        await Boot().RefreshAsync(CancellationToken.None);

        ServeOnly(frozen);
        var error = await Assert.ThrowsAsync<TufException>(() => Boot().DownloadTargetAsync("fw.bin", CancellationToken.None));

        Assert.Equal(TufFailure.Rollback, error.Failure);
    }

    [Fact]
    public async Task After_a_reboot_the_trusted_timestamp_replayed_past_its_expiry_is_refused_as_a_freeze()
    {
        _repository.Lifetime = TimeSpan.FromDays(30);
        _repository.PublishRoot();
        _repository.Lifetime = TimeSpan.FromDays(1);
        _repository.Publish();
        await Boot().RefreshAsync(CancellationToken.None);

        // The same (equal-version) timestamp is all the repository serves; it is kept, and it has expired.
        _clock.Advance(TimeSpan.FromDays(2));
        var error = await Assert.ThrowsAsync<TufException>(() => Boot().RefreshAsync(CancellationToken.None));

        Assert.Equal(TufFailure.Expired, error.Failure);
        Assert.Contains("timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_snapshot_and_timestamp_key_rotation_a_client_that_trusted_fast_forwarded_versions_recovers()
    {
        // An attacker with the online keys pushes timestamp and snapshot version 1,000,000; the device trusts them.
        var real = (_repository.TimestampVersion, _repository.SnapshotVersion);
        _repository.PublishTimestamp(1_000_000, FastForwardedSnapshot(1_000_000), 1_000_000);
        await Boot().RefreshAsync(CancellationToken.None);

        // The owners rotate both keys in root 2 and publish the next real versions; after a reboot the device follows.
        _repository.Roles["timestamp"].Keys = [_repository.NewKey()];
        _repository.Roles["snapshot"].Keys = [_repository.NewKey()];
        _repository.PublishRoot();
        _repository.PublishTimestamp(real.SnapshotVersion, _repository.Files[$"metadata/{real.SnapshotVersion}.snapshot.json"], real.TimestampVersion);
        _repository.Publish();

        await Boot().RefreshAsync(CancellationToken.None);
        Assert.Equal(real.TimestampVersion + 1, Stored("timestamp")!["signed"]!["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task After_a_targets_key_rotation_a_client_that_trusted_fast_forwarded_targets_recovers()
    {
        // An attacker with the online keys pushes targets version 1,000,000 through a real-looking snapshot.
        var targets = _repository.Top;
        targets.Version = 999_999;
        _repository.Publish();
        await Boot().RefreshAsync(CancellationToken.None);
        Assert.Equal(1_000_000, Stored("targets")!["signed"]!["version"]!.GetValue<long>());

        // Root 2 names a new targets key; the repository goes back to its real targets version.
        _repository.Roles["targets"].Keys = [_repository.NewKey()];
        targets.Role.Keys = _repository.Roles["targets"].Keys;
        _repository.PublishRoot();
        targets.Version = 2;
        _repository.AddTarget("fw.bin", "v3"u8.ToArray());
        _repository.Publish();

        Assert.Equal("v3"u8.ToArray(), await Boot().DownloadTargetAsync("fw.bin", CancellationToken.None));
    }

    [Fact]
    public async Task Without_a_key_rotation_fast_forwarded_versions_keep_blocking_older_ones()
    {
        var real = _repository.TimestampVersion;
        var snapshot = _repository.Files[$"metadata/{_repository.SnapshotVersion}.snapshot.json"];
        _repository.PublishTimestamp(_repository.SnapshotVersion, snapshot, 1_000_000);
        await Boot().RefreshAsync(CancellationToken.None);

        _repository.PublishTimestamp(_repository.SnapshotVersion, snapshot, real + 1);
        var error = await Assert.ThrowsAsync<TufException>(() => Boot().RefreshAsync(CancellationToken.None));
        Assert.Equal(TufFailure.Rollback, error.Failure);
    }

    [Fact]
    public async Task The_store_keeps_each_role_under_its_plain_name_owner_only_with_nothing_left_over()
    {
        _repository.Delegate("targets", "vendor/meter");
        _repository.AddTarget("m.bin", "m"u8.ToArray(), "vendor/meter");
        _repository.PublishRoot();
        _repository.Publish();
        await Boot().DownloadTargetAsync("m.bin", CancellationToken.None);

        var files = Directory.GetFiles(StoreDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["root.json", "snapshot.json", "targets.json", "timestamp.json", "vendor%2Fmeter.json"], files);
        Assert.All(Directory.GetFiles(StoreDirectory), file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(StoreDirectory));
        Assert.Equal(2, Stored("root")!["signed"]!["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_stored_root_that_others_may_write_is_refused()
    {
        await Boot().RefreshAsync(CancellationToken.None);
        File.SetUnixFileMode(Path.Combine(StoreDirectory, "root.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);

        var error = Assert.Throws<InvalidDataException>(() => Boot());
        Assert.Contains("writable by group or others", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_timestamp_larger_than_the_bound_is_ignored_and_the_fetched_one_is_used()
    {
        await Boot().RefreshAsync(CancellationToken.None);
        File.WriteAllBytes(Path.Combine(StoreDirectory, "timestamp.json"), new byte[TufClient.MaxTimestampLength + 1]);
        File.SetUnixFileMode(Path.Combine(StoreDirectory, "timestamp.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await Boot().RefreshAsync(CancellationToken.None);
        Assert.Equal(_repository.TimestampVersion, Stored("timestamp")!["signed"]!["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_downloaded_target_that_still_matches_is_taken_from_the_cache_after_a_reboot()
    {
        var cache = _temp.Sub("cache");
        await Boot(cache).DownloadTargetAsync("fw.bin", CancellationToken.None);
        _repository.Requests.Clear();

        Assert.Equal("v1"u8.ToArray(), await Boot(cache).DownloadTargetAsync("fw.bin", CancellationToken.None));
        Assert.DoesNotContain(_repository.Requests, r => r.StartsWith("targets/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cached_target_that_no_longer_matches_its_signed_hashes_is_downloaded_again()
    {
        var cache = _temp.Sub("cache");
        await Boot(cache).DownloadTargetAsync("fw.bin", CancellationToken.None);
        File.WriteAllBytes(new TargetCache(cache).PathOf("fw.bin"), "v0"u8.ToArray());
        _repository.Requests.Clear();

        Assert.Equal("v1"u8.ToArray(), await Boot(cache).DownloadTargetAsync("fw.bin", CancellationToken.None));
        Assert.Contains(_repository.Requests, r => r.StartsWith("targets/", StringComparison.Ordinal));
    }

    // A new client over the same directory: what a device is after a restart.
    private TufClient Boot(string? cache = null) =>
        new(_repository, new DirectoryTrustedMetadataStore(StoreDirectory), _repository.InitialRoot, _clock,
            new TufClientOptions { TargetCache = cache is null ? null : new TargetCache(cache) });

    private JsonNode? Stored(string role) => JsonNode.Parse(File.ReadAllBytes(new DirectoryTrustedMetadataStore(StoreDirectory).PathOf(role)));

    private void ServeOnly(Dictionary<string, byte[]> files)
    {
        _repository.Files.Clear();
        foreach (var (path, bytes) in files)
        {
            _repository.Files[path] = bytes;
        }
    }

    // A snapshot at the given version (signed with the current snapshot key) naming the current targets.
    private byte[] FastForwardedSnapshot(long version)
    {
        var snapshot = _repository.Common("snapshot", version);
        snapshot["meta"] = new JsonObject { ["targets.json"] = new JsonObject { ["version"] = _repository.Top.Version } };
        var bytes = TufMetadata.Serialize(SignedMetadata.Sign(snapshot, _repository.Roles["snapshot"].Signers));
        _repository.Files[$"metadata/{version}.snapshot.json"] = bytes;
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes));
    }
}
