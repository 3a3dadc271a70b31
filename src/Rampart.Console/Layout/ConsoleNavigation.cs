using Rampart.Fleet.Operators;

namespace Rampart.WebConsole.Layout;

/// <summary>The pages in the main navigation and the permission each needs (the same the API's read endpoints need; docs/console.md).</summary>
public static class ConsoleNavigation
{
    /// <summary>One entry; <see cref="Permission"/> null means any signed-in operator.</summary>
    public sealed record Item(string Section, string Label, string Path, string? Permission);

    /// <summary>The entries, in order.</summary>
    public static IReadOnlyList<Item> Items { get; } =
    [
        new("overview", "Overview", "/", Permissions.DevicesRead),
        new("devices", "Devices", "/devices", Permissions.DevicesRead),
        new("events", "Events", "/events", Permissions.EventsRead),
        new("alerts", "Alerts", "/alerts", Permissions.EventsRead),
        new("exposure", "Exposure", "/exposure", Permissions.DevicesRead),
        new("posture", "Posture", "/posture", Permissions.DevicesRead),
        new("releases", "Releases", "/releases", Permissions.DevicesRead),
        new("approvals", "Approvals", "/approvals", Permissions.ApprovalsRead),
        new("operators", "Operators", "/operators", Permissions.UsersRead),
        new("tokens", "API tokens", "/tokens", null),
        new("audit", "Audit", "/audit", Permissions.AuditRead),
        new("privacy", "Privacy", "/privacy", Permissions.PrivacyAdmin),
    ];
}
