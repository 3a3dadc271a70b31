using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Testing;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>
/// One test per attack in the TUF specification's threat model, each refused by the client. Extraneous
/// dependencies are not applicable: Rampart's targets are single firmware images with no dependency
/// metadata, so there is nothing for an attacker to add.
/// </summary>
public sealed class TufClientAttackTests : IDisposable
{
    private static readonly byte[] Firmware = "firmware image v2.1.0"u8.ToArray();
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private readonly ECDsa _root1 = Key();
    private readonly ECDsa _root2 = Key();
    private readonly ECDsa _targetsKey = Key();
    private readonly ECDsa _snapshotKey = Key();
    private readonly ECDsa _timestampKey = Key();
    private readonly MemoryRepository _repository = new();
    private byte[] _trustedRoot = null!;

    public TufClientAttackTests()
    {
        PublishRoot(1, _timestampKey);
        Publish(version: 1);
    }

    public void Dispose()
    {
        foreach (var key in new[] { _root1, _root2, _targetsKey, _snapshotKey, _timestampKey })
        {
            key.Dispose();
        }
    }

    [Fact]
    public async Task A_valid_repository_updates_and_the_target_downloads()
    {
        var client = Client();
        await client.RefreshAsync(CancellationToken.None);
        Assert.Equal(Firmware, await client.DownloadTargetAsync("fw.bin", CancellationToken.None));
        Assert.Equal("2.1.0", (await client.FindTargetAsync("fw.bin", CancellationToken.None))!.Custom!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Arbitrary_installation_a_target_that_does_not_match_its_signed_hash_is_refused()
    {
        var client = Client();
        await client.RefreshAsync(CancellationToken.None);
        _repository.Files[$"targets/{Sha(Firmware)}.fw.bin"] = "firmware image v6.6.6"u8.ToArray();
        Assert.Equal(TufFailure.BadTarget, (await Assert.ThrowsAsync<TufException>(() => client.DownloadTargetAsync("fw.bin", CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Endless_data_a_target_longer_than_signed_is_refused()
    {
        var client = Client();
        await client.RefreshAsync(CancellationToken.None);
        _repository.Files[$"targets/{Sha(Firmware)}.fw.bin"] = [.. Firmware, .. new byte[1_000_000]];
        Assert.Equal(TufFailure.BadTarget, (await Assert.ThrowsAsync<TufException>(() => client.DownloadTargetAsync("fw.bin", CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Endless_data_an_oversized_timestamp_is_refused()
    {
        _repository.Files["metadata/timestamp.json"] = new byte[TufClient.MaxTimestampLength + 100];
        Assert.Equal(TufFailure.Malformed, (await Assert.ThrowsAsync<TufException>(() => Client().RefreshAsync(CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Rollback_an_older_timestamp_than_the_trusted_one_is_refused()
    {
        var client = Client();
        Publish(version: 3);
        await client.RefreshAsync(CancellationToken.None);
        Publish(version: 2);
        Assert.Equal(TufFailure.Rollback, (await Assert.ThrowsAsync<TufException>(() => client.RefreshAsync(CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Indefinite_freeze_expired_metadata_is_refused()
    {
        _clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(TufFailure.Expired, (await Assert.ThrowsAsync<TufException>(() => Client().RefreshAsync(CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Mix_and_match_a_snapshot_other_than_the_one_the_timestamp_names_is_refused()
    {
        Publish(version: 2);
        var oldSnapshot = _repository.Files["metadata/1.snapshot.json"];
        _repository.Files["metadata/2.snapshot.json"] = oldSnapshot;
        Assert.Equal(TufFailure.Mismatch, (await Assert.ThrowsAsync<TufException>(() => Client().RefreshAsync(CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Malicious_mirror_metadata_signed_by_a_key_the_root_does_not_name_is_refused()
    {
        using var mirrorKey = Key();
        var timestamp = TufMetadata.Timestamp(2, _clock.GetUtcNow().AddDays(1), 1, _repository.Files["metadata/1.snapshot.json"]);
        _repository.Files["metadata/timestamp.json"] = TufMetadata.Serialize(SignedMetadata.Sign(timestamp, [mirrorKey]));
        Assert.Equal(TufFailure.BadSignatures, (await Assert.ThrowsAsync<TufException>(() => Client().RefreshAsync(CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Key_compromise_below_threshold_one_of_two_root_keys_cannot_rotate_the_root()
    {
        using var attacker = Key();
        var forged = TufMetadata.Root(2, _clock.GetUtcNow().AddDays(30), Role(attacker), Role(attacker), Role(attacker), Role(attacker));
        _repository.Files["metadata/2.root.json"] = TufMetadata.Serialize(SignedMetadata.Sign(forged, [_root1, attacker]));
        Assert.Equal(TufFailure.BadSignatures, (await Assert.ThrowsAsync<TufException>(() => Client().RefreshAsync(CancellationToken.None))).Failure);
    }

    [Fact]
    public async Task Fast_forward_after_a_timestamp_key_compromise_the_rotated_root_lets_the_client_recover()
    {
        // The attacker, holding the timestamp key, pushed a huge version; the client trusted it.
        var client = Client();
        var inflated = TufMetadata.Timestamp(1_000_000, _clock.GetUtcNow().AddDays(1), 1, _repository.Files["metadata/1.snapshot.json"]);
        _repository.Files["metadata/timestamp.json"] = TufMetadata.Serialize(SignedMetadata.Sign(inflated, [_timestampKey]));
        await client.RefreshAsync(CancellationToken.None);

        // The owners rotate the timestamp key in root 2: the client drops the inflated timestamp and accepts version 2.
        using var newTimestampKey = Key();
        PublishRoot(2, newTimestampKey);
        Publish(version: 2, timestampKey: newTimestampKey);
        await client.RefreshAsync(CancellationToken.None);
        Assert.Equal(Firmware, await client.DownloadTargetAsync("fw.bin", CancellationToken.None));
    }

    [Fact]
    public async Task A_root_rotation_signed_by_both_old_and_new_thresholds_is_followed_and_persisted()
    {
        var client = Client();
        PublishRoot(2, _timestampKey);
        await client.RefreshAsync(CancellationToken.None);
        Assert.Equal(2, JsonNode.Parse(client.TrustedRoot)!["signed"]!["version"]!.GetValue<long>());
    }

    private TufClient Client() => new(_repository, _trustedRoot, _clock);

    private void PublishRoot(long version, ECDsa timestampKey)
    {
        var root = TufMetadata.Root(version, _clock.GetUtcNow().AddDays(365), new TufMetadata.Role([_root1, _root2], 2), Role(_targetsKey), Role(_snapshotKey), Role(timestampKey));
        var bytes = TufMetadata.Serialize(SignedMetadata.Sign(root, [_root1, _root2]));
        _repository.Files[$"metadata/{version}.root.json"] = bytes;
        _trustedRoot ??= bytes;
    }

    private void Publish(long version, ECDsa? timestampKey = null)
    {
        var expires = _clock.GetUtcNow().AddDays(1);
        var targets = TufMetadata.Serialize(SignedMetadata.Sign(TufMetadata.Targets(version, expires, new Dictionary<string, (byte[], JsonObject?)>
        {
            ["fw.bin"] = (Firmware, new JsonObject { ["version"] = "2.1.0", ["svn"] = 7 }),
        }), [_targetsKey]));
        var snapshot = TufMetadata.Serialize(SignedMetadata.Sign(TufMetadata.Snapshot(version, expires, version, targets), [_snapshotKey]));
        var timestamp = TufMetadata.Serialize(SignedMetadata.Sign(TufMetadata.Timestamp(version, expires, version, snapshot), [timestampKey ?? _timestampKey]));
        _repository.Files[$"metadata/{version}.targets.json"] = targets;
        _repository.Files[$"metadata/{version}.snapshot.json"] = snapshot;
        _repository.Files["metadata/timestamp.json"] = timestamp;
        _repository.Files[$"targets/{Sha(Firmware)}.fw.bin"] = Firmware;
    }

    private static TufMetadata.Role Role(ECDsa key) => new([key], 1);

    private static ECDsa Key() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed class MemoryRepository : ITufRepository
    {
        public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

        public Task<byte[]?> FetchAsync(string path, long maxLength, CancellationToken cancellationToken) =>
            Task.FromResult(Files.TryGetValue(path, out var bytes) ? bytes.Take((int)Math.Min(bytes.LongLength, maxLength + 1)).ToArray() : null);
    }
}
