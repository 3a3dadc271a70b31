using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Posture.Risk;
using Rampart.Posture.FleetAudit;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Subjects;
using Rampart.Server.Api;
using Rampart.Server.Auth;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Stores;
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
        endpoints.MapGet("/exposure", async (string? device, string? closed, string? after, HttpContext context, NodeStoresView stores, InventoryService inventory,
            CancellationToken cancellationToken) =>
        {
            device = FleetPages.Blank(device);
            after = string.IsNullOrEmpty(after) ? null : after;
            if (after is not null && (after.Length > ExposureResult.MaxRankLength || after.Any(char.IsControl)))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"after is a cursor of at most {ExposureResult.MaxRankLength} printable characters (the next page's link)");
            }

            if (device is not null)
            {
                await DeviceEndpoints.VisibleAsync(device, context, inventory, cancellationToken);
            }

            // The stored result of the last recompute, a page at a time (issue 22); counts within the operator's scope.
            var identity = OperatorClaims.Identity(context.User);
            var listing = await new StoredExposureReader(stores.Exposure).PageAsync(new DeviceScope(identity.Sites, identity.Zones), device, closed is not null, after, cancellationToken);
            return ConsolePages.Render<ExposurePage>(new { Viewer = ConsolePages.Viewer(context), Listing = listing, Device = device, ShowClosed = closed is not null, After = after });
        }).OperatorPage(Permissions.DevicesRead);

        // GET /api/v1/posture/fleet (devices:read), /audits and /trend (audit:read): fleet-wide, so not for a scoped operator.
        endpoints.MapGet("/posture", async (string? after, HttpContext context, IFleetAuditStore stored, FleetAuditService audits, CancellationToken cancellationToken) =>
        {
            var viewer = ConsolePages.Viewer(context);
            if (viewer.Identity is { } identity && (identity.Sites.Count > 0 || identity.Zones.Count > 0))
            {
                throw new FleetException(FleetErrorKind.Forbidden, "fleet-wide posture needs an operator without a site or zone scope");
            }

            (int Score, string DeviceId)? cursor = string.IsNullOrEmpty(after) ? null
                : StoredRisk.ParseCursor(after) ?? throw new FleetException(FleetErrorKind.Invalid, "after is a cursor {score}:{device id} (the next page's link)");

            // What the last fleet audit run stored (issue 22): its snapshot and a page of device_risk by score, never an evaluation per request.
            var risks = await stored.RiskiestAsync(cursor, PostureView.RisksShown + 1, cancellationToken);
            var page = risks.Take(PostureView.RisksShown).ToArray();
            var auditor = viewer.Can(Permissions.AuditRead);
            var view = new PostureView(
                await stored.LatestSnapshotAsync(cancellationToken),
                page,
                risks.Count > PostureView.RisksShown ? page[^1].Cursor : null,
                cursor is not null,
                auditor ? await audits.ListAsync(1, cancellationToken) : null,
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
