using Rampart.Fleet.Audit;

namespace Rampart.SupplyChain.Stores;

/// <summary>
/// One stored line of exposure (a vulnerability in a component of a scope) as the console lists it. <see cref="Rank"/>
/// orders the lines and is unique (<see cref="Exposure.ExposureResult.RankOf"/>); <see cref="KnownExploited"/> is the
/// CISA KEV entry's date added when the vulnerability is listed; <see cref="Status"/> is <c>open</c> or the VEX status that closed it.
/// </summary>
public sealed record StoredExposureLine(
    string Rank, string Scope, string Vulnerability, string Severity, string? KnownExploited, string Component, string? Version, string? FixedBy, string Status)
{
    public bool Open => Status == "open";
}

/// <summary>A scope of the stored result: how many devices ran it, and its open and closed lines.</summary>
public sealed record ExposureScopeTally(string Scope, int Devices, int OpenLines, int ClosedLines);

/// <summary>When the stored result was computed, and its digest.</summary>
public sealed record ExposureResultStamp(DateTimeOffset Computed, string Digest);

/// <summary>The device scope of a reader: an operator's sites and zones (none: the whole fleet), as <c>DeviceQuery</c> applies them.</summary>
public sealed record DeviceScope(IReadOnlyList<string> Sites, IReadOnlyList<string> Zones)
{
    public static readonly DeviceScope Fleet = new([], []);

    public bool Whole => Sites.Count == 0 && Zones.Count == 0;
}

/// <summary>
/// The last exposure recompute's result, stored for paged reading (issue 22: the console reads a page, never the
/// fleet): its lines in rank order, its scopes, and which scopes each device ran. Replaced whole inside the
/// recompute's audited transaction.
/// </summary>
public interface IExposureResultStore
{
    /// <summary>When the stored result was computed and its digest; null before the first recompute.</summary>
    Task<ExposureResultStamp?> ResultStampAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the stored result inside <paramref name="transaction"/>.</summary>
    Task ReplaceResultAsync(IStoreTransaction transaction, Exposure.ExposureResult result, DateTimeOffset computed, CancellationToken cancellationToken);

    /// <summary>
    /// At most <paramref name="limit"/> lines after rank <paramref name="after"/>, in rank order: only open ones unless
    /// <paramref name="closed"/>, only of <paramref name="scopes"/> when given.
    /// </summary>
    Task<IReadOnlyList<StoredExposureLine>> LinesAsync(IReadOnlyList<string>? scopes, bool closed, string? after, int limit, CancellationToken cancellationToken);

    /// <summary>Every scope of the stored result.</summary>
    Task<IReadOnlyList<ExposureScopeTally>> ScopesAsync(CancellationToken cancellationToken);

    /// <summary>The scopes the device ran at the recompute.</summary>
    Task<IReadOnlyList<string>> ScopesOfDeviceAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// How many devices of each of <paramref name="scopes"/> are within <paramref name="viewer"/> now (site and zone read
    /// from the inventory at this call, retired devices not counted), and the first <paramref name="listed"/> of them by id.
    /// </summary>
    Task<IReadOnlyDictionary<string, (int Devices, IReadOnlyList<string> First)>> DevicesAsync(
        IReadOnlyList<string> scopes, DeviceScope viewer, int listed, CancellationToken cancellationToken);
}
