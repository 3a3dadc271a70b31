using System.Security.Cryptography;
using System.Text;
using Rampart.Testing;
using Rampart.Updates.Tests.Tuf.Simulation;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>Delegated targets and the search of §5.6.7, over graphs the simulated repository signs.</summary>
public sealed class DelegationSearchTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private readonly SimulatedRepository _repository;
    private readonly TempDirectory _temp = new();

    public DelegationSearchTests() => _repository = new SimulatedRepository(_clock);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_target_listed_by_a_delegated_role_is_found_downloaded_and_attributed_to_that_role()
    {
        _repository.Delegate("targets", "vendor", paths: ["fw/*"]);
        _repository.AddTarget("fw/meter.bin", Bytes("meter"), "vendor");
        _repository.Publish();
        var client = Client();

        Assert.Equal(Bytes("meter"), await client.DownloadTargetAsync("fw/meter.bin", CancellationToken.None));
        Assert.Equal("vendor", (await client.FindTargetAsync("fw/meter.bin", CancellationToken.None))!.Role);
    }

    [Fact]
    public async Task A_terminating_delegation_that_covers_the_target_ends_the_search_even_when_it_does_not_list_it()
    {
        _repository.Delegate("targets", "a", terminating: true, paths: ["fw/*"]);
        _repository.Delegate("targets", "b", paths: ["fw/*"]);
        _repository.AddTarget("fw/x.bin", Bytes("from b"), "b");
        _repository.Publish();

        Assert.Null(await Client().FindTargetAsync("fw/x.bin", CancellationToken.None));
        Assert.DoesNotContain(_repository.Requests, r => r.EndsWith(".b.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_non_terminating_delegation_that_does_not_list_the_target_lets_the_search_go_on()
    {
        _repository.Delegate("targets", "a", paths: ["fw/*"]);
        _repository.Delegate("targets", "b", paths: ["fw/*"]);
        _repository.AddTarget("fw/x.bin", Bytes("from b"), "b");
        _repository.Publish();

        Assert.Equal("b", (await Client().FindTargetAsync("fw/x.bin", CancellationToken.None))!.Role);
    }

    [Fact]
    public async Task The_search_is_depth_first_in_order_so_a_child_of_the_first_role_wins_over_a_later_sibling()
    {
        _repository.Delegate("targets", "a");
        _repository.Delegate("a", "a-child");
        _repository.Delegate("targets", "b");
        _repository.AddTarget("x.bin", Bytes("deep"), "a-child");
        _repository.AddTarget("x.bin", Bytes("sibling"), "b");
        _repository.Publish();

        Assert.Equal(Bytes("deep"), await Client().DownloadTargetAsync("x.bin", CancellationToken.None));
    }

    [Fact]
    public async Task A_terminating_delegation_deep_in_the_graph_ends_the_whole_search()
    {
        _repository.Delegate("targets", "a");
        _repository.Delegate("a", "a-child", terminating: true);
        _repository.Delegate("targets", "b");
        _repository.AddTarget("x.bin", Bytes("sibling"), "b");
        _repository.Publish();

        Assert.Null(await Client().FindTargetAsync("x.bin", CancellationToken.None));
    }

    [Fact]
    public async Task A_role_is_trusted_only_for_paths_its_patterns_cover_and_is_not_even_fetched_for_others()
    {
        _repository.Delegate("targets", "vendor", paths: ["fw/*.bin"]);
        _repository.AddTarget("other/x.bin", Bytes("outside"), "vendor");
        _repository.AddTarget("fw/sub/x.bin", Bytes("too deep"), "vendor");
        _repository.Publish();
        var client = Client();

        Assert.Null(await client.FindTargetAsync("other/x.bin", CancellationToken.None));
        Assert.Null(await client.FindTargetAsync("fw/sub/x.bin", CancellationToken.None));
        Assert.DoesNotContain(_repository.Requests, r => r.Contains("vendor", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Path_hash_prefixes_select_the_role_by_the_sha256_of_the_target_path()
    {
        var prefix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("fw/x.bin")))[..2];
        var other = prefix[0] == '0' ? "f" : "0";
        _repository.Delegate("targets", "wrong-bin", hashPrefixes: [other]);
        _repository.Delegate("targets", "right-bin", hashPrefixes: ["ff", prefix]);
        _repository.AddTarget("fw/x.bin", Bytes("wrong"), "wrong-bin");
        _repository.AddTarget("fw/x.bin", Bytes("right"), "right-bin");
        _repository.Publish();

        Assert.Equal(Bytes("right"), await Client().DownloadTargetAsync("fw/x.bin", CancellationToken.None));
    }

    [Fact]
    public async Task Succinct_hashed_bins_send_each_target_to_the_bin_its_path_hash_names()
    {
        _repository.DelegateBins("targets", "bins", bitLength: 3);
        var paths = Enumerable.Range(0, 12).Select(i => $"fw/image-{i}.bin").ToList();
        foreach (var path in paths)
        {
            var bin = SHA256.HashData(Encoding.UTF8.GetBytes(path))[0] >> 5;
            _repository.AddTarget(path, Bytes(path), $"bins-{bin:x}");
        }

        _repository.Publish();
        var client = Client();

        foreach (var path in paths)
        {
            Assert.Equal(Bytes(path), await client.DownloadTargetAsync(path, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_target_listed_in_the_wrong_hashed_bin_is_not_found()
    {
        _repository.DelegateBins("targets", "bins", bitLength: 1);
        var bin = SHA256.HashData(Encoding.UTF8.GetBytes("x.bin"))[0] >> 7;
        _repository.AddTarget("x.bin", Bytes("misfiled"), $"bins-{1 - bin:x}");
        _repository.Publish();

        Assert.Null(await Client().FindTargetAsync("x.bin", CancellationToken.None));
    }

    [Fact]
    public async Task A_delegation_cycle_ends_the_search_with_each_role_fetched_once()
    {
        _repository.Delegate("targets", "a");
        _repository.Delegate("a", "b");
        _repository.Delegate("b", "a");
        _repository.Publish();

        Assert.Null(await Client().FindTargetAsync("absent.bin", CancellationToken.None));
        Assert.Single(_repository.Requests, r => r.EndsWith(".a.json", StringComparison.Ordinal));
        Assert.Single(_repository.Requests, r => r.EndsWith(".b.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_search_visits_no_more_roles_than_the_configured_bound()
    {
        var parent = "targets";
        for (var depth = 1; depth <= 6; depth++)
        {
            _repository.Delegate(parent, $"level-{depth}");
            parent = $"level-{depth}";
        }

        _repository.AddTarget("deep.bin", Bytes("deep"), parent);
        _repository.Publish();

        Assert.Equal(Bytes("deep"), await Client().DownloadTargetAsync("deep.bin", CancellationToken.None));
        var bounded = new TufClient(_repository, MemoryTrustedMetadataStore.WithRoot(_repository.InitialRoot), null, _clock, new TufClientOptions { MaxDelegations = 4 });
        Assert.Null(await bounded.FindTargetAsync("deep.bin", CancellationToken.None));
    }

    [Theory]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("..", "..")]
    [InlineData("ünï cödé", "%C3%BCn%C3%AF%20c%C3%B6d%C3%A9")]
    [InlineData("%41?#", "%2541%3F%23")]
    public async Task Role_names_that_need_escaping_are_fetched_and_stored_under_their_URL_escaped_name(string name, string escaped)
    {
        _repository.Delegate("targets", name);
        _repository.AddTarget("x.bin", Bytes(name), name);
        _repository.Publish();
        var store = new DirectoryTrustedMetadataStore(_temp.Sub("trusted"));
        var client = new TufClient(_repository, store, _repository.InitialRoot, _clock);

        Assert.Equal(Bytes(name), await client.DownloadTargetAsync("x.bin", CancellationToken.None));
        Assert.Contains($"metadata/1.{escaped}.json", _repository.Requests);
        Assert.True(File.Exists(Path.Combine(_temp.Sub("trusted"), $"{escaped}.json")));
        Assert.Equal(escaped, RoleNames.Escape(name));
    }

    [Fact]
    public async Task A_delegated_role_signed_by_a_key_its_delegator_did_not_name_is_refused()
    {
        _repository.Delegate("targets", "vendor").Role.SignWith = [_repository.NewKey()];
        _repository.AddTarget("x.bin", Bytes("forged"), "vendor");
        _repository.Publish();

        var error = await Assert.ThrowsAsync<TufException>(() => Client().FindTargetAsync("x.bin", CancellationToken.None));
        Assert.Equal(TufFailure.BadSignatures, error.Failure);
    }

    [Fact]
    public async Task A_delegation_to_a_role_named_like_a_top_level_role_is_refused()
    {
        _repository.Delegate("targets", "snapshot");
        _repository.Publish();

        var error = await Assert.ThrowsAsync<TufException>(() => Client().RefreshAsync(CancellationToken.None));
        Assert.Equal(TufFailure.Malformed, error.Failure);
    }

    [Fact]
    public async Task A_delegated_role_at_another_version_than_the_snapshot_names_is_refused()
    {
        _repository.Delegate("targets", "vendor");
        _repository.Publish();
        _repository.Publish();
        _repository.Files["metadata/2.vendor.json"] = _repository.Files["metadata/1.vendor.json"];

        var error = await Assert.ThrowsAsync<TufException>(() => Client().FindTargetAsync("x.bin", CancellationToken.None));
        Assert.Equal(TufFailure.Mismatch, error.Failure);
    }

    private TufClient Client() => new(_repository, _repository.InitialRoot, _clock);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
