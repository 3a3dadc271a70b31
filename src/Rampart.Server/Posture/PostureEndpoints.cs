using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Posture.Baselines;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Models;
using Rampart.Posture.Procurement;
using Rampart.Posture.Reports;
using Rampart.Posture.Zones;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.Auth;

namespace Rampart.Server.Posture;

/// <summary>
/// <c>/api/v1/posture</c>: models and the procurement gate, baselines, the fleet audit, zones. Reading needs
/// <c>devices:read</c> (audits: <c>audit:read</c>); adding models <c>system:write</c>; suppressing, confining and
/// releasing, and moving a device between zones <c>devices:quarantine</c>. Fleet-wide answers need an operator without a site/zone scope; a device
/// outside the caller's scope does not exist for them.
/// </summary>
public static class PostureEndpoints
{
    public static IEndpointRouteBuilder MapPosture(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/posture").RequireAuthorization().RequireAntiforgeryForCookies();
        MapModels(api.MapGroup("/models"));
        MapBaselines(api);
        MapAudits(api.MapGroup("/audits"));
        MapZones(api.MapGroup("/zones"));
        MapZoneMoves(api.MapGroup("/zones"));
        MapReports(api);
        return endpoints;
    }

    private static void MapModels(RouteGroupBuilder models)
    {
        models.MapGet("/", async (ModelRegistry registry, CancellationToken cancellationToken) =>
            TypedResults.Ok(await registry.ListAsync(cancellationToken))).RequirePermission(Permissions.DevicesRead);
        models.MapGet("/schema", () => TypedResults.Text(DeviceModelDocument.SchemaText, "application/schema+json")).RequirePermission(Permissions.DevicesRead);
        models.MapGet("/{vendor}/{model}", async (string vendor, string model, ModelRegistry registry, CancellationToken cancellationToken) =>
            TypedResults.Ok(await registry.GetAsync(DeviceModel.KeyOf(vendor, model), cancellationToken))).RequirePermission(Permissions.DevicesRead);
        models.MapPost("/evaluate", (ModelFileRequest body, ModelRegistry registry) =>
        {
            var (model, admission) = registry.Evaluate(Bytes(body));
            return TypedResults.Ok(new ModelEvaluation(model, admission));
        }).RequirePermission(Permissions.DevicesRead);
        models.MapPost("/", async (ModelFileRequest body, HttpContext context, ModelRegistry registry, CancellationToken cancellationToken) =>
            TypedResults.Ok(await registry.AddAsync(Bytes(body), AdminActor.Of(context.User), cancellationToken))).RequirePermission(Permissions.SystemWrite);
    }

    private static void MapBaselines(RouteGroupBuilder api)
    {
        api.MapGet("/baseline", async (string? device, string? model, string? standard, HttpContext context, BaselineService baselines,
            InventoryService inventory, CancellationToken cancellationToken) =>
        {
            if ((device is null) == (model is null))
            {
                throw new FleetException(FleetErrorKind.Invalid, "give either device or model");
            }

            if (device is not null)
            {
                await DeviceEndpoints.VisibleAsync(device, context, inventory, cancellationToken);
                return TypedResults.Ok(new BaselineResponse(await baselines.DeviceAsync(device, standard, cancellationToken), null));
            }

            Unscoped(context);
            return TypedResults.Ok(new BaselineResponse(null, await baselines.ModelAsync(model!, standard, cancellationToken)));
        }).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/fleet", async (HttpContext context, BaselineService baselines, CancellationToken cancellationToken) =>
        {
            Unscoped(context);
            var fleet = await baselines.FleetAsync(cancellationToken);
            return TypedResults.Ok(fleet with { Risks = fleet.Risks.OrderByDescending(r => r.Score).Take(100).ToArray() });
        }).RequirePermission(Permissions.DevicesRead);
    }

    private static void MapAudits(RouteGroupBuilder audits)
    {
        audits.MapPost("/", async (HttpContext context, FleetAuditService service, CancellationToken cancellationToken) =>
        {
            Unscoped(context);
            var (run, diff) = await service.RunAsync("on-demand", AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(new AuditRunResponse(run, diff));
        }).RequirePermission(Permissions.AuditRead);
        audits.MapGet("/", async (int? limit, HttpContext context, FleetAuditService service, CancellationToken cancellationToken) =>
        {
            Unscoped(context);
            return TypedResults.Ok(await service.ListAsync(limit ?? 20, cancellationToken));
        }).RequirePermission(Permissions.AuditRead);
        audits.MapGet("/{id:long}", async (long id, HttpContext context, FleetAuditService service, CancellationToken cancellationToken) =>
        {
            Unscoped(context);
            var (run, diff) = await service.ShowAsync(id, cancellationToken);
            return TypedResults.Ok(new AuditRunResponse(run, diff));
        }).RequirePermission(Permissions.AuditRead);
        audits.MapGet("/suppressions", async (FleetAuditService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.SuppressionsAsync(cancellationToken))).RequirePermission(Permissions.AuditRead);
        audits.MapPost("/suppressions", async (SuppressFindingRequest body, HttpContext context, FleetAuditService service, CancellationToken cancellationToken) =>
        {
            Unscoped(context);
            return TypedResults.Ok(await service.SuppressAsync(body.Check, body.Resource, body.Until, body.Reason, AdminActor.Of(context.User), cancellationToken));
        }).RequirePermission(Permissions.DevicesQuarantine);
    }

    private static void MapZones(RouteGroupBuilder zones)
    {
        zones.MapGet("/", async (ZoneOptions options, ConfinementService confinement, CancellationToken cancellationToken) =>
            TypedResults.Ok(new ZonesResponse(options.ToPolicy(), await confinement.ListAsync(cancellationToken)))).RequirePermission(Permissions.DevicesRead);
        zones.MapGet("/export", (string? format, string? hub, ZoneOptions options) =>
        {
            if (format is not (null or "nftables"))
            {
                throw new FleetException(FleetErrorKind.Invalid, "format must be nftables");
            }

            var hubs = new List<IPAddress>();
            foreach (var address in (hub ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                hubs.Add(IPAddress.TryParse(address, out var parsed) ? parsed : throw new FleetException(FleetErrorKind.Invalid, $"hub '{Echo.Of(address)}' is not an IP address"));
            }

            return TypedResults.Ok(new ZoneExportResponse("nftables", NftablesExport.Render(options.ToPolicy(), hubs)));
        }).RequirePermission(Permissions.DevicesRead);
        zones.MapPost("/confine/{id}", async (string id, ConfinementRequest body, HttpContext context, InventoryService inventory, ConfinementService confinement, CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            return await confinement.ConfineAsync(id, body.Reason, AdminActor.Of(context.User), cancellationToken)
                ? TypedResults.Ok(new ConfinementRequest(body.Reason))
                : throw new FleetException(FleetErrorKind.Conflict, $"device {id} is confined already");
        }).RequirePermission(Permissions.DevicesQuarantine);
        zones.MapPost("/release/{id}", async (string id, ConfinementRequest body, HttpContext context, InventoryService inventory, ConfinementService confinement, CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            await confinement.ReleaseAsync(id, body.Reason, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(new ConfinementRequest(body.Reason));
        }).RequirePermission(Permissions.DevicesQuarantine);
    }

    // Moving a device between inventory zones changes what its live session may do, like confinement: the same permission.
    private static void MapZoneMoves(RouteGroupBuilder zones) =>
        zones.MapPost("/move/{id}", async (string id, ZoneMoveRequest body, HttpContext context, InventoryService inventory, ConfinementService confinement, CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            var zone = body.Zone ?? string.Empty;
            var scope = OperatorClaims.Identity(context.User).Zones;
            if (scope.Count > 0 && !scope.Contains(zone))
            {
                throw new FleetException(FleetErrorKind.Forbidden, $"zone '{Echo.Of(zone)}' is outside your zone scope");
            }

            var from = await confinement.MoveAsync(id, zone, body.Reason ?? string.Empty, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(new ZoneMoveResponse(id, from, zone));
        }).RequirePermission(Permissions.DevicesQuarantine);

    private static void MapReports(RouteGroupBuilder api)
    {
        api.MapGet("/trend", async (int? days, HttpContext context, FleetAuditService service, CancellationToken cancellationToken) =>
        {
            Unscoped(context);
            return TypedResults.Ok(await service.TrendAsync(days ?? 30, cancellationToken));
        }).RequirePermission(Permissions.AuditRead);

        // The report for people (issue 18, item 7), as a JSON envelope the CLI writes to --out.
        api.MapGet("/report", async (string? format, int? days, HttpContext context, PostureReportService reports, CancellationToken cancellationToken) =>
        {
            Unscoped(context);
            if (format is not ("html" or "pdf"))
            {
                throw new FleetException(FleetErrorKind.Invalid, "format must be html or pdf");
            }

            var report = await reports.BuildAsync(days ?? 30, cancellationToken);
            return TypedResults.Ok(format == "html"
                ? new PostureReportResponse("html", "text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(HtmlReport.Render(report)))
                : new PostureReportResponse("pdf", "application/pdf", PdfReport.Render(report)));
        }).RequirePermission(Permissions.AuditRead);
    }

    private static byte[] Bytes(ModelFileRequest body) =>
        body.Content.Length > DeviceModelDocument.MaxBytes
            ? throw new FleetException(FleetErrorKind.Invalid, $"the model file is larger than {DeviceModelDocument.MaxBytes / 1024} KiB")
            : System.Text.Encoding.UTF8.GetBytes(body.Content);

    private static void Unscoped(HttpContext context)
    {
        var identity = OperatorClaims.Identity(context.User);
        if (identity.Sites.Count > 0 || identity.Zones.Count > 0)
        {
            throw new FleetException(FleetErrorKind.Forbidden, "fleet-wide posture needs an operator without a site or zone scope");
        }
    }
}
