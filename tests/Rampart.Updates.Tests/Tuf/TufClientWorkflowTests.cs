using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rampart.Testing;
using Rampart.Updates.Tests.Tuf.Simulation;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>Where the client once deviated from the workflow of the specification (§5), one test each.</summary>
public sealed class TufClientWorkflowTests
{
    private static readonly byte[] Image = "image for a subdirectory"u8.ToArray();
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private readonly SimulatedRepository _repository;

    public TufClientWorkflowTests() => _repository = new SimulatedRepository(_clock);

    [Fact]
    public async Task A_target_in_a_subdirectory_is_fetched_as_its_directory_then_hash_dot_file_name()
    {
        _repository.AddTarget("fw/meter/image.bin", Image);
        _repository.Publish();
        var client = new TufClient(_repository, _repository.InitialRoot, _clock);

        Assert.Equal(Image, await client.DownloadTargetAsync("fw/meter/image.bin", CancellationToken.None));
        Assert.Equal($"targets/fw/meter/{Convert.ToHexStringLower(SHA256.HashData(Image))}.image.bin", _repository.Requests[^1]);
    }

    [Fact]
    public async Task Without_consistent_snapshots_targets_and_metadata_are_fetched_under_their_plain_names()
    {
        var repository = new SimulatedRepository(_clock) { ConsistentSnapshot = false };
        repository.PublishRoot();
        repository.AddTarget("fw/image.bin", Image);
        repository.Publish();
        var client = new TufClient(repository, repository.InitialRoot, _clock);

        Assert.Equal(Image, await client.DownloadTargetAsync("fw/image.bin", CancellationToken.None));
        Assert.Contains("metadata/snapshot.json", repository.Requests);
        Assert.Contains("metadata/targets.json", repository.Requests);
        Assert.Equal("targets/fw/image.bin", repository.Requests[^1]);
    }

    [Fact]
    public async Task An_initial_root_not_signed_by_its_own_threshold_is_refused_before_any_request()
    {
        _repository.Roles["root"].Keys.Add(_repository.NewKey());
        _repository.Roles["root"].Threshold = 2;
        _repository.Roles["root"].SignWith = [_repository.Roles["root"].Keys[0]];
        _repository.PublishRoot();
        var unsigned = _repository.Files["metadata/2.root.json"];

        var error = await Assert.ThrowsAsync<TufException>(async () =>
        {
            var client = new TufClient(_repository, unsigned, _clock);
            await client.RefreshAsync(CancellationToken.None);
        });

        Assert.Equal(TufFailure.BadSignatures, error.Failure);
        Assert.Empty(_repository.Requests);
    }

    [Fact]
    public async Task Metadata_that_lists_one_key_id_twice_among_its_signatures_is_refused()
    {
        var timestampKey = _repository.Roles["timestamp"].Keys[0];
        _repository.Roles["timestamp"].SignWith = [timestampKey, timestampKey];
        _repository.Publish();

        var error = await Assert.ThrowsAsync<TufException>(() => new TufClient(_repository, _repository.InitialRoot, _clock).RefreshAsync(CancellationToken.None));

        Assert.Equal(TufFailure.BadSignatures, error.Failure);
        Assert.Contains("more than one signature", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(",\"version\":999")]
    [InlineData(",\"x\":1.5")]
    [InlineData(",\"x\":100000000000000000000000")]
    public async Task Metadata_with_a_key_given_twice_or_a_number_canonical_JSON_cannot_encode_is_refused_as_malformed(string injected)
    {
        var timestamp = System.Text.Encoding.UTF8.GetString(_repository.Files["metadata/timestamp.json"]);
        _repository.Files["metadata/timestamp.json"] = System.Text.Encoding.UTF8.GetBytes(timestamp.Replace("\"_type\":\"timestamp\"", "\"_type\":\"timestamp\"" + injected, StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<TufException>(() => new TufClient(_repository, _repository.InitialRoot, _clock).RefreshAsync(CancellationToken.None));

        Assert.Equal(TufFailure.Malformed, error.Failure);
    }

    [Fact]
    public async Task A_timestamp_with_the_trusted_version_but_other_content_does_not_replace_the_trusted_one()
    {
        var store = new MemoryTrustedMetadataStore();
        store.Save("root", _repository.InitialRoot);
        await new TufClient(_repository, store, null, _clock).RefreshAsync(CancellationToken.None);
        var trusted = store.Load("timestamp", TufClient.MaxTimestampLength);

        // The same timestamp version, validly signed, now naming a newer snapshot.
        _repository.AddTarget("new.bin", Image);
        var version = _repository.TimestampVersion;
        _repository.Publish();
        _repository.PublishTimestamp(_repository.SnapshotVersion, _repository.Files[$"metadata/{_repository.SnapshotVersion}.snapshot.json"], version);
        _repository.Requests.Clear();
        var client = new TufClient(_repository, store, null, _clock);
        await client.RefreshAsync(CancellationToken.None);

        Assert.Equal(trusted, store.Load("timestamp", TufClient.MaxTimestampLength));
        Assert.DoesNotContain($"metadata/{_repository.SnapshotVersion}.snapshot.json", _repository.Requests);
        Assert.Null(await client.FindTargetAsync("new.bin", CancellationToken.None));
    }

    [Fact]
    public async Task A_refresh_requests_only_what_the_workflow_needs_and_nothing_again_that_is_unchanged()
    {
        _repository.AddTarget("fw.bin", Image);
        _repository.Publish();
        var store = MemoryTrustedMetadataStore.WithRoot(_repository.InitialRoot);
        var first = new TufClient(_repository, store, null, _clock);
        await first.DownloadTargetAsync("fw.bin", CancellationToken.None);

        Assert.Equal(["metadata/2.root.json", "metadata/timestamp.json", "metadata/2.snapshot.json", "metadata/2.targets.json", $"targets/{Convert.ToHexStringLower(SHA256.HashData(Image))}.fw.bin"],
            _repository.Requests);

        // After a restart with nothing new: the root probe and the timestamp, and the target (no cache here).
        _repository.Requests.Clear();
        await new TufClient(_repository, store, null, _clock).FindTargetAsync("fw.bin", CancellationToken.None);
        Assert.Equal(["metadata/2.root.json", "metadata/timestamp.json"], _repository.Requests);
    }

    [Fact]
    public async Task Each_verified_root_is_kept_even_when_a_later_root_in_the_same_refresh_is_refused()
    {
        _repository.PublishRoot();
        _repository.PublishRoot();

        // Root 4 names a new root key that did not sign it: the old threshold is met, its own is not.
        _repository.Roles["root"].Keys = [_repository.NewKey()];
        _repository.Roles["root"].SignWith = [];
        _repository.PublishRoot();
        var store = MemoryTrustedMetadataStore.WithRoot(_repository.InitialRoot);

        await Assert.ThrowsAsync<TufException>(() => new TufClient(_repository, store, null, _clock).RefreshAsync(CancellationToken.None));

        Assert.Equal(3, JsonNode.Parse(store.Load("root", TufClient.MaxRootLength)!)!["signed"]!["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_snapshot_that_drops_a_file_the_trusted_snapshot_listed_is_refused()
    {
        _repository.Delegate("targets", "vendor");
        _repository.Publish();
        var store = MemoryTrustedMetadataStore.WithRoot(_repository.InitialRoot);
        await new TufClient(_repository, store, null, _clock).RefreshAsync(CancellationToken.None);

        _repository.PublishSnapshot(new JsonObject { ["targets.json"] = new JsonObject { ["version"] = _repository.Top.Version } });

        var error = await Assert.ThrowsAsync<TufException>(() => new TufClient(_repository, store, null, _clock).RefreshAsync(CancellationToken.None));
        Assert.Equal(TufFailure.Rollback, error.Failure);
    }
}
