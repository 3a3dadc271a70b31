using Rampart.SupplyChain.Stores;

namespace Rampart.SupplyChain.Exposure;

/// <summary>A stored line with the devices that ran its scope, counted within the reader's scope, and the first of them.</summary>
public sealed record ListedExposureLine(StoredExposureLine Line, int Devices, IReadOnlyList<string> DeviceIds);

/// <summary>
/// One page of the stored exposure: when it was computed (null before the first recompute), the open and closed lines
/// of the fleet (or of the device's scopes), the page's lines and the cursor of the next page (null on the last).
/// </summary>
public sealed record ExposureListing(DateTimeOffset? Computed, int Open, int Closed, IReadOnlyList<ListedExposureLine> Lines, string? Next);

/// <summary>
/// Reads the stored exposure a page at a time (issue 22): the lines from the rank index, then the device counts of the
/// page's scopes only, within the reader's sites and zones as the inventory has them now.
/// </summary>
public sealed class StoredExposureReader(IExposureResultStore store)
{
    /// <summary>Lines per page.</summary>
    public const int PageSize = 100;

    /// <summary>Device ids listed per line.</summary>
    public const int DevicesListed = 10;

    /// <summary>A page for <paramref name="viewer"/>: the fleet's lines, or (with <paramref name="device"/>, already checked visible) that device's.</summary>
    public async Task<ExposureListing> PageAsync(DeviceScope viewer, string? device, bool closed, string? after, CancellationToken cancellationToken)
    {
        var stamp = await store.ResultStampAsync(cancellationToken);
        if (stamp is null)
        {
            return new ExposureListing(null, 0, 0, [], null);
        }

        var scopes = device is null ? null : await store.ScopesOfDeviceAsync(device, cancellationToken);
        var tallies = (await store.ScopesAsync(cancellationToken)).Where(t => scopes is null || scopes.Contains(t.Scope, StringComparer.Ordinal)).ToArray();
        var lines = await store.LinesAsync(scopes, closed, after, PageSize + 1, cancellationToken);
        var page = lines.Take(PageSize).ToArray();
        var devices = device is null
            ? await store.DevicesAsync(page.Select(l => l.Scope).Distinct(StringComparer.Ordinal).ToArray(), viewer, DevicesListed, cancellationToken)
            : null;
        var listed = page.Select(l => devices is null
            ? new ListedExposureLine(l, 1, [device!])
            : devices.TryGetValue(l.Scope, out var d) ? new ListedExposureLine(l, d.Devices, d.First) : new ListedExposureLine(l, 0, [])).ToArray();
        return new ExposureListing(stamp.Computed, tallies.Sum(t => t.OpenLines), tallies.Sum(t => t.ClosedLines), listed,
            lines.Count > PageSize ? page[^1].Rank : null);
    }
}
