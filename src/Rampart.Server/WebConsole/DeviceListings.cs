using Rampart.WebConsole.Fleet;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;

namespace Rampart.Server.WebConsole;

/// <summary>
/// One page of the device list through the inventory's own paged, id-ordered query (the primary key):
/// state, site, zone, model, tag and risk band narrow the query the API's list uses (within the operator's scope), and an id
/// prefix search starts the range at the prefix instead of scanning.
/// </summary>
internal static class DeviceListings
{
    public static async Task<(IReadOnlyList<Device> Devices, string? Next)> PageAsync(
        InventoryService inventory, OperatorIdentity identity, DeviceFilter filter, CancellationToken cancellationToken)
    {
        var sites = Narrow(identity.Sites, filter.Site);
        var zones = Narrow(identity.Zones, filter.Zone);
        if (sites is null || zones is null || (filter.Search is { } search && !IsIdText(search)))
        {
            return ([], null);
        }

        var after = filter.After ?? (filter.Search is { } prefix ? Below(prefix) : null);
        var page = await inventory.ListAsync(new DeviceQuery(after, DeviceFilter.PageSize + 1, filter.State, sites, zones, filter.Model, filter.Tag, filter.Risk), cancellationToken);
        var matching = filter.Search is { } s ? page.TakeWhile(d => d.Id.StartsWith(s, StringComparison.Ordinal)).ToArray() : [.. page];
        return matching.Length > DeviceFilter.PageSize
            ? (matching[..DeviceFilter.PageSize], matching[DeviceFilter.PageSize - 1].Id)
            : (matching, null);
    }

    // A filter value inside the operator's scope narrows it; outside it, nothing is visible.
    private static IReadOnlyList<string>? Narrow(IReadOnlyList<string> scope, string? wanted) =>
        wanted is null ? scope : scope.Count == 0 || scope.Contains(wanted) ? [wanted] : null;

    private static bool IsIdText(string text) =>
        text.Length <= DeviceIds.MaxLength && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    // The greatest id that sorts before every id starting with the prefix: ids are [A-Za-z0-9._-]
    // (DeviceIds), ordered by code point, and 'z' is the greatest of those characters.
    private static string Below(string prefix) => prefix[..^1] + (char)(prefix[^1] - 1) + new string('z', DeviceIds.MaxLength);
}
