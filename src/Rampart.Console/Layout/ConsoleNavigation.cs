using Rampart.Fleet.Operators;

namespace Rampart.WebConsole.Layout;

/// <summary>The pages in the main navigation and the permission each needs (the same the API's read endpoints need; docs/console.md).</summary>
public static class ConsoleNavigation
{
    /// <summary>One entry; <see cref="Permission"/> null means any signed-in operator.</summary>
    public sealed record Item(string Section, string Label, string Path, string? Permission);

    /// <summary>
    /// The entries, in order. Exposure, posture and privacy pages are added here when those
    /// capabilities land on main (issue 22); until then their places in the overview and the device
    /// page say "not assessable".
    /// </summary>
    public static IReadOnlyList<Item> Items { get; } =
    [
        new("overview", "Overview", "/", Permissions.DevicesRead),
        new("devices", "Devices", "/devices", Permissions.DevicesRead),
        new("events", "Events", "/events", Permissions.EventsRead),
        new("alerts", "Alerts", "/alerts", Permissions.EventsRead),
        new("releases", "Releases", "/releases", Permissions.DevicesRead),
        new("approvals", "Approvals", "/approvals", Permissions.ApprovalsRead),
        new("operators", "Operators", "/operators", Permissions.UsersRead),
        new("tokens", "API tokens", "/tokens", null),
        new("audit", "Audit", "/audit", Permissions.AuditRead),
    ];
}
