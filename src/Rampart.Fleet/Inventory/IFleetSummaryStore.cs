namespace Rampart.Fleet.Inventory;

/// <summary>
/// Counts over the whole inventory for the web console's overview (issue 22), within an operator's
/// scope (empty or null lists: every site, every zone). One aggregate query each, so the overview
/// stays fast at fleet scale instead of paging through every device.
/// </summary>
public interface IFleetSummaryStore
{
    /// <summary>Devices by state; states with none are absent.</summary>
    Task<IReadOnlyDictionary<DeviceState, long>> CountByStateAsync(IReadOnlyList<string>? sites, IReadOnlyList<string>? zones, CancellationToken cancellationToken);

    /// <summary>
    /// Devices not retired whose newest unrevoked certificate expires in [<paramref name="from"/>,
    /// <paramref name="until"/>): the ones that must renew soon (older certificates a renewal replaced do not count).
    /// </summary>
    Task<long> CountCertificatesExpiringAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sites, IReadOnlyList<string>? zones,
        CancellationToken cancellationToken);
}
