using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Posture.Baselines;
using Rampart.Posture.FleetAudit;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Subjects;
using Rampart.Server.Api;
using Rampart.Server.Auth;
using Rampart.Server.SupplyChain;
using Rampart.WebConsole.Exposure;
using Rampart.WebConsole.Posture;
using Rampart.WebConsole.Privacy;

namespace Rampart.Server.WebConsole;

/// <summary>
/// Read-only pages over the supply chain (exposure), posture and privacy services, each with the permission
/// and scope rule of the API endpoint that reads the same data (docs/console.md).
/// </summary>
internal static class CapabilityPages
{
    /// <summary>Subjects listed on the privacy page.</summary>
    public const int SubjectsShown = 200;

    /// <summary>Days of the posture trend.</summary>
    public const int TrendDays = 30;

    public static void MapCapabilityPages(this IEndpointRouteBuilder endpoints)
    {
        // GET /api/v1/exposure and /exposure/devices/{id}: devices:read, within the operator's scope.
        endpoints.MapGet("/exposure", async (string? device, string? closed, HttpContext context, SupplyChainService supplyChain, InventoryService inventory,
            CancellationToken cancellationToken) =>
        {
            device = FleetPages.Blank(device);
            if (device is not null)
            {
                await DeviceEndpoints.VisibleAsync(device, context, inventory, cancellationToken);
            }

            var identity = OperatorClaims.Identity(context.User);
            var items = (await supplyChain.ExposureAsync(new DeviceQuery(Sites: identity.Sites, Zones: identity.Zones), cancellationToken))
                .Where(i => closed is not null || i.Assessment.Open)
                .Where(i => device is null || i.Devices.Contains(device, StringComparer.Ordinal))
                .Select(i => device is null ? i : i with { Devices = [device] })
                .OrderByDescending(i => i.Assessment.Open).ThenByDescending(i => i.Assessment.Severity).ThenByDescending(i => i.Devices.Count)
                .ThenBy(i => i.Assessment.Finding.Vulnerability.Id, StringComparer.Ordinal).ToArray();
            return ConsolePages.Render<ExposurePage>(new { Viewer = ConsolePages.Viewer(context), Items = items, Device = device, ShowClosed = closed is not null });
        }).OperatorPage(Permissions.DevicesRead);

        // GET /api/v1/posture/fleet (devices:read), /audits and /trend (audit:read): fleet-wide, so not for a scoped operator.
        endpoints.MapGet("/posture", async (HttpContext context, BaselineService baselines, FleetAuditService audits, CancellationToken cancellationToken) =>
        {
            var viewer = ConsolePages.Viewer(context);
            if (viewer.Identity is { } identity && (identity.Sites.Count > 0 || identity.Zones.Count > 0))
            {
                throw new FleetException(FleetErrorKind.Forbidden, "fleet-wide posture needs an operator without a site or zone scope");
            }

            var auditor = viewer.Can(Permissions.AuditRead);
            var view = new PostureView(
                await baselines.FleetAsync(cancellationToken),
                auditor ? await audits.ListAsync(5, cancellationToken) : null,
                auditor ? await audits.TrendAsync(TrendDays, cancellationToken) : null);
            return ConsolePages.Render<PosturePage>(new { Viewer = viewer, View = view });
        }).OperatorPage(Permissions.DevicesRead);

        // The privacy API's subject endpoints: privacy:admin.
        endpoints.MapGet("/privacy", async (HttpContext context, ISubjectStore subjects, ApprovalService approvals, CancellationToken cancellationToken) =>
        {
            var all = await subjects.RoutingAsync(cancellationToken);
            var erasures = (await approvals.ListAsync(null, cancellationToken)).Where(a => a.Operation == SubjectErasure.OperationName).ToArray();
            return ConsolePages.Render<PrivacyPage>(new
            {
                Viewer = ConsolePages.Viewer(context),
                Subjects = all.OrderBy(s => s.Pseudonym, StringComparer.Ordinal).Take(SubjectsShown).ToArray(),
                Total = all.Count,
                Erasures = erasures,
            });
        }).OperatorPage(Permissions.PrivacyAdmin);
    }
}
