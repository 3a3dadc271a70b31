using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.WebConsole.Monitoring;
using Rampart.Detection.Alerts;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Server.Detection;

namespace Rampart.Server.WebConsole;

/// <summary>Security events (a page and its live stream) and the alerts queue.</summary>
internal static class MonitoringPages
{
    /// <summary>Events on the page and in one stream poll.</summary>
    public const int PageSize = 100;

    public static void MapMonitoringPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/events", async (string? device, string? kind, HttpContext context, ISecurityEventStore events, CancellationToken cancellationToken) =>
        {
            device = FleetPages.Blank(device);
            kind = FleetPages.Blank(kind);
            var shown = (await events.ListAsync(device, PageSize, cancellationToken)).Where(e => Matches(e, kind)).ToArray();
            var after = shown.Length > 0 ? shown.Max(e => e.Id) : await NewestIdAsync(events, device, cancellationToken);
            var stream = "/events/stream?after=" + after.ToString(CultureInfo.InvariantCulture)
                + (device is null ? string.Empty : "&device=" + Uri.EscapeDataString(device)) + (kind is null ? string.Empty : "&kind=" + Uri.EscapeDataString(kind));
            return ConsolePages.Render<EventsPage>(new { Viewer = ConsolePages.Viewer(context), Events = shown, Device = device, Kind = kind, Stream = stream });
        }).OperatorPage(Permissions.EventsRead);

        endpoints.MapGet("/events/stream", (long? after, string? device, string? kind, HttpContext context, ISecurityEventStore events, UserService users,
            TimeProvider time, CancellationToken cancellationToken) =>
            EventStream.RunAsync(context, events, users, time, after ?? 0, FleetPages.Blank(device), FleetPages.Blank(kind), cancellationToken))
            .OperatorPage(Permissions.EventsRead);

        endpoints.MapGet("/alerts", async (string? state, HttpContext context, AlertService alerts, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            AlertState? filter = FleetPages.Blank(state) is not { } name ? null
                : Enum.TryParse<AlertState>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !name.Any(char.IsDigit) ? parsed
                : throw new FleetException(FleetErrorKind.Invalid, $"unknown state '{Echo.Of(name)}'");
            var visible = new List<Alert>();
            foreach (var alert in await alerts.ListAsync(new AlertQuery(filter, Limit: PageSize), cancellationToken))
            {
                if (await AlertEndpoints.VisibleAsync(alert, context, inventory, cancellationToken))
                {
                    visible.Add(alert);
                }
            }

            return ConsolePages.Render<AlertsPage>(new { Viewer = ConsolePages.Viewer(context), Alerts = visible, State = filter });
        }).OperatorPage(Permissions.EventsRead);
    }

    internal static bool Matches(StoredSecurityEvent stored, string? kind) => kind is null || stored.Event.Kind.StartsWith(kind, StringComparison.Ordinal);

    private static async Task<long> NewestIdAsync(ISecurityEventStore events, string? device, CancellationToken cancellationToken) =>
        (await events.ListAsync(device, 1, cancellationToken)).FirstOrDefault()?.Id ?? 0;

    /// <summary>One event as the stream's JSON (the script writes every field as text).</summary>
    internal static string Json(StoredSecurityEvent stored) => JsonSerializer.Serialize(new
    {
        id = stored.Id,
        time = stored.Event.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        kind = stored.Event.Kind,
        severity = stored.Event.Severity.ToString().ToLowerInvariant(),
        deviceId = stored.Event.DeviceId,
        source = stored.Event.Source,
        details = stored.Event.Details,
    });
}
