using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.WebConsole.Fleet;
using DevicePage = Rampart.WebConsole.Fleet.DevicePage;
using Rampart.Detection.Alerts;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Updates;
using Rampart.Posture.Baselines;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Risk;
using Rampart.Server.Api;
using Rampart.Server.Auth;
using Rampart.Server.Gateway;
using Rampart.Server.Updates;
using Rampart.Server.WebConsole.Traffic;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.WebConsole;

/// <summary>The overview, the device list and the device page.</summary>
internal static class FleetPages
{
    /// <summary>Events and alerts the device page shows.</summary>
    public const int RecentOnDevicePage = 50;

    /// <summary>"Expiring soon" on the overview.</summary>
    public static readonly TimeSpan ExpiryWindow = TimeSpan.FromDays(30);

    public static void MapFleetPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", async (HttpContext context, MqttGateway gateway, TrafficRate rate, IAlertStore alerts, RolloutService rollouts, IFleetSummaryStore summary,
            IFleetAuditStore audits, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var viewer = ConsolePages.Viewer(context);
            var identity = viewer.Identity!;
            var open = viewer.Can(Permissions.EventsRead) ? await alerts.CountActiveAsync(cancellationToken) : null;
            var running = (await rollouts.ListAsync(cancellationToken)).Where(r => r.State is RolloutState.Running or RolloutState.Paused).ToArray();
            var now = time.GetUtcNow();
            var expiring = viewer.Can(Permissions.CertsRead)
                ? await summary.CountCertificatesExpiringAsync(now, now + ExpiryWindow, identity.Sites, identity.Zones, cancellationToken)
                : (long?)null;
            var overview = new FleetOverview(await summary.CountByStateAsync(identity.Sites, identity.Zones, cancellationToken), gateway.Broker.ConnectionCount,
                rate.Sample(), open, running, expiring, ExpiryWindow);
            // The posture score is the whole fleet's (like /posture, which refuses a scoped operator): shown only unscoped.
            var fleetWide = identity.Sites.Count == 0 && identity.Zones.Count == 0;
            overview = overview with { Posture = fleetWide ? await audits.LatestSnapshotAsync(cancellationToken) : null, PostureVisible = fleetWide };
            return ConsolePages.Render<OverviewPage>(new { Viewer = viewer, Overview = overview });
        }).OperatorPage(Permissions.DevicesRead);

        endpoints.MapGet("/devices", async (string? state, string? q, string? site, string? zone, string? model, string? tag, string? risk, string? after,
            HttpContext context, InventoryService inventory, MqttGateway gateway, IFleetAuditStore audits, CancellationToken cancellationToken) =>
        {
            var filter = new DeviceFilter(ParseState(state), Blank(q), Blank(site), Blank(zone), Blank(after), ParseModel(model), ParseTag(tag), ParseRisk(risk));
            var identity = OperatorClaims.Identity(context.User);
            var (devices, next) = await DeviceListings.PageAsync(inventory, identity, filter, cancellationToken);
            var connected = devices.Where(d => gateway.Broker.IsConnected(d.Id)).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            var risks = (await audits.DeviceRisksAsync([.. devices.Select(d => d.Id)], cancellationToken)).ToDictionary(r => r.DeviceId, StringComparer.Ordinal);
            return ConsolePages.Render<DevicesPage>(new { Viewer = ConsolePages.Viewer(context), Listing = new DeviceListing(filter, devices, next, connected, risks) });
        }).OperatorPage(Permissions.DevicesRead);

        endpoints.MapGet("/devices/{id}", async (string id, HttpContext context, InventoryService inventory, MqttGateway gateway, ICertificateStore certificates,
            ISecurityEventStore events, AlertService alerts, IRolloutStore rollouts, TrafficHistory history, BaselineService baselines, CancellationToken cancellationToken) =>
        {
            var viewer = ConsolePages.Viewer(context);
            var device = await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            var traffic = gateway.Traffic.Find("device:" + device.Id);
            var live = new DeviceTraffic(gateway.Broker.IsConnected(device.Id), traffic?.MessagesIn ?? 0, traffic?.BytesIn ?? 0, traffic?.MessagesOut ?? 0,
                traffic?.BytesOut ?? 0, traffic?.AuthorizationFailures ?? 0, traffic?.LimitHits ?? 0, traffic?.Dropped ?? 0, traffic?.Disconnects ?? 0, traffic?.Sources ?? []);
            var canEvents = viewer.Can(Permissions.EventsRead);
            var detail = new DeviceDetail(
                device,
                live,
                history.HourOf(device.Id),
                viewer.Can(Permissions.CertsRead) ? await certificates.ListAsync("device", device.Id, cancellationToken) : null,
                canEvents ? await events.ListAsync(device.Id, RecentOnDevicePage, cancellationToken) : null,
                canEvents ? await alerts.ListAsync(new AlertQuery(DeviceId: device.Id, Limit: RecentOnDevicePage), cancellationToken) : null,
                (await rollouts.ReportedFirmwareAsync([device.Id], cancellationToken)).GetValueOrDefault(device.Id),
                device.State == DeviceState.Retired ? null : await baselines.DeviceAsync(device.Id, null, cancellationToken),
                await rollouts.DeviceRolloutsAsync(device.Id, RecentOnDevicePage, cancellationToken));
            return ConsolePages.Render<DevicePage>(new { Viewer = viewer, Detail = detail });
        }).OperatorPage(Permissions.DevicesRead);
    }

    internal static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    // A model is printable text bounded like the inventory's attributes; tags follow the id rule (InventoryService.Validate).
    private static string? ParseModel(string? model) =>
        Blank(model) is not { } name ? null
        : name.Length <= DeviceIds.MaxAttributeLength && !name.Any(char.IsControl) ? name
        : throw new FleetException(FleetErrorKind.Invalid, $"model must be at most {DeviceIds.MaxAttributeLength} printable characters");

    private static string? ParseTag(string? tag) =>
        Blank(tag) is not { } name ? null
        : DeviceIds.IsValid(name) ? name
        : throw new FleetException(FleetErrorKind.Invalid, $"tag '{Echo.Of(name)}' must be {DeviceIds.Rule}");

    private static string? ParseRisk(string? risk) =>
        Blank(risk) is not { } band ? null
        : RiskScore.Bands.Contains(band.ToLowerInvariant()) ? band.ToLowerInvariant()
        : throw new FleetException(FleetErrorKind.Invalid, $"unknown risk band '{Echo.Of(band)}'; one of: {string.Join(", ", RiskScore.Bands)}");

    private static DeviceState? ParseState(string? state) =>
        Blank(state) is not { } name ? null
        : Enum.TryParse<DeviceState>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !name.Any(char.IsDigit) ? parsed
        : throw new FleetException(FleetErrorKind.Invalid, $"unknown state '{Echo.Of(name)}'");
}
