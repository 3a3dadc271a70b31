using Rampart.Fleet.Inventory;
using Rampart.Posture.Risk;
using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Stores;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>
/// The stored results the console's /exposure and /posture pages read (issue 22, migration 0037), the same on every
/// provider: exposure lines paged by rank, device counts within an operator's scope as the inventory has it now, and the
/// riskiest devices paged by score.
/// </summary>
public abstract class StoredConsoleResultsContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Stored_exposure_lines_are_paged_in_rank_order_open_first_and_a_new_result_replaces_the_old_whole()
    {
        Assert.Null(await Stores.Exposure.ResultStampAsync(None));
        var first = new ExposureResult(
            [Line("113|CVE-3|model:m|c", "model:m", "fixed"), Line("001|CVE-1|release:r|c", "release:r"), Line("003|CVE-2|model:m|c", "model:m"),
             Line("002|CVE-9|model:m|<b>", "model:m")],
            [new("model:m", 2, 2, 1), new("release:r", 1, 1, 0)],
            [("model:m", "d-1"), ("model:m", "d-2"), ("release:r", "d-1")]);
        await AuditedAsync(async t =>
        {
            await Stores.Exposure.ReplaceResultAsync(t, first, Start, None);
            return true;
        });

        var stamp = await Stores.Exposure.ResultStampAsync(None);
        Assert.Equal((Start, first.Digest()), (stamp!.Computed, stamp.Digest));
        Assert.Equal(["001|CVE-1|release:r|c", "002|CVE-9|model:m|<b>", "003|CVE-2|model:m|c"], await RanksAsync(null, closed: false, null, 10));
        Assert.Equal(["001|CVE-1|release:r|c", "002|CVE-9|model:m|<b>"], await RanksAsync(null, closed: false, null, 2));
        Assert.Equal(["003|CVE-2|model:m|c", "113|CVE-3|model:m|c"], await RanksAsync(null, closed: true, "002|CVE-9|model:m|<b>", 10));
        Assert.Equal(["002|CVE-9|model:m|<b>", "003|CVE-2|model:m|c", "113|CVE-3|model:m|c"], await RanksAsync(["model:m"], closed: true, null, 10));
        Assert.Empty(await RanksAsync([], closed: true, null, 10));
        var line = (await Stores.Exposure.LinesAsync(["release:r"], false, null, 1, None)).Single();
        Assert.Equal(("release:r", "CVE-1", "high", "2024-05-30", "kernel", "6.1", "r2", true), (line.Scope, line.Vulnerability, line.Severity, line.KnownExploited, line.Component, line.Version, line.FixedBy, line.Open));
        Assert.Equal(["model:m", "release:r"], await Stores.Exposure.ScopesOfDeviceAsync("d-1", None));
        Assert.Equal([("model:m", 2, 2, 1), ("release:r", 1, 1, 0)], (await Stores.Exposure.ScopesAsync(None)).Select(s => (s.Scope, s.Devices, s.OpenLines, s.ClosedLines)));

        var second = new ExposureResult([Line("004|CVE-4|model:n|c", "model:n")], [new("model:n", 1, 1, 0)], [("model:n", "d-3")]);
        await AuditedAsync(async t =>
        {
            await Stores.Exposure.ReplaceResultAsync(t, second, Start.AddHours(1), None);
            return true;
        });

        Assert.Equal(["004|CVE-4|model:n|c"], await RanksAsync(null, closed: true, null, 10));
        Assert.Empty(await Stores.Exposure.ScopesOfDeviceAsync("d-1", None));
        Assert.Equal(Start.AddHours(1), (await Stores.Exposure.ResultStampAsync(None))!.Computed);
    }

    [Fact]
    public async Task A_scoped_reader_counts_and_lists_only_the_devices_in_its_sites_and_zones_now_and_never_retired_ones()
    {
        Rampart.Fleet.Inventory.Device Make(string id, string site, string zone, DeviceState state = DeviceState.Active) => new(id, "m", "acme", null, null, site, zone, [], state, null, Start, Start);
        foreach (var device in new[] { Make("d-1", "north", "z1"), Make("d-2", "south", "z1"), Make("d-3", "north", "z2"), Make("d-4", "north", "z1", DeviceState.Retired) })
        {
            await AuditedAsync(t => Stores.Devices.TryAddAsync(t, device, None));
        }

        var result = new ExposureResult([Line("001|CVE-1|model:m|c", "model:m")], [new("model:m", 4, 1, 0)],
            [("model:m", "d-1"), ("model:m", "d-2"), ("model:m", "d-3"), ("model:m", "d-4")]);
        await AuditedAsync(async t =>
        {
            await Stores.Exposure.ReplaceResultAsync(t, result, Start, None);
            return true;
        });

        async Task<(int, string)> Read(DeviceScope viewer, int listed = 10)
        {
            var devices = await Stores.Exposure.DevicesAsync(["model:m", "model:none"], viewer, listed, None);
            Assert.Equal((0, 0), (devices["model:none"].Devices, devices["model:none"].First.Count));
            return (devices["model:m"].Devices, string.Join(",", devices["model:m"].First));
        }

        Assert.Equal((4, "d-1,d-2,d-3,d-4"), await Read(DeviceScope.Fleet));
        Assert.Equal((2, "d-1,d-3"), await Read(new DeviceScope(["north"], [])));
        Assert.Equal((2, "d-1"), await Read(new DeviceScope(["north"], []), listed: 1));
        Assert.Equal((1, "d-1"), await Read(new DeviceScope(["north"], ["z1"])));
        Assert.Equal((2, "d-1,d-2"), await Read(new DeviceScope([], ["z1"])));
        Assert.Equal((0, ""), await Read(new DeviceScope(["west"], [])));

        // d-1 is moved to zone z9 after the recompute: a z1 reader no longer counts it (read at this call, not at the recompute).
        Assert.True(await AuditedAsync(t => Stores.Devices.SetZoneAsync(t, "d-1", "z9", None)));
        Assert.Equal((1, "d-2"), await Read(new DeviceScope([], ["z1"])));
    }

    [Fact]
    public async Task The_riskiest_devices_are_paged_by_score_then_id_with_the_factors_the_run_stored()
    {
        static RiskScore Risk(string device, int score) => new(device, score, RiskScore.BandOf(score), new Dictionary<string, int> { ["open-alerts"] = score / 2, ["support"] = 5 });
        await AuditedAsync(async t =>
        {
            await Stores.FleetAudits.ReplaceDeviceRisksAsync(t, [Risk("d-2", 40), Risk("d-1", 90), Risk("d-3", 40), Risk("d-4", 5), Risk("d-0", 40)], Start, None);
            return true;
        });

        var page = await Stores.FleetAudits.RiskiestAsync(null, 3, None);
        Assert.Equal([("d-1", 90), ("d-0", 40), ("d-2", 40)], page.Select(r => (r.DeviceId, r.Score)));
        Assert.Equal(new Dictionary<string, int> { ["open-alerts"] = 45, ["support"] = 5 }, page[0].Factors);
        Assert.Equal(("critical", Start), (page[0].Band, page[0].Assessed));
        var next = StoredRisk.ParseCursor(page[^1].Cursor);
        Assert.Equal((40, "d-2"), next);
        Assert.Equal([("d-3", 40), ("d-4", 5)], (await Stores.FleetAudits.RiskiestAsync(next, 3, None)).Select(r => (r.DeviceId, r.Score)));
        Assert.Null(StoredRisk.ParseCursor("x:d-1"));
        Assert.Null(StoredRisk.ParseCursor("101:d-1"));
        Assert.Null(StoredRisk.ParseCursor("40:"));
    }

    private static StoredExposureLine Line(string rank, string scope, string status = "open") =>
        new(rank, scope, rank.Split('|')[1], "high", "2024-05-30", "kernel", "6.1", "r2", status);

    private async Task<string[]> RanksAsync(IReadOnlyList<string>? scopes, bool closed, string? after, int limit) =>
        [.. (await Stores.Exposure.LinesAsync(scopes, closed, after, limit, None)).Select(l => l.Rank)];
}

public sealed class SqliteStoredConsoleResultsTests : StoredConsoleResultsContract<SqliteProvider>;

public sealed class PostgresStoredConsoleResultsTests : StoredConsoleResultsContract<PostgresProvider>;
