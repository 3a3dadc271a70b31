using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Detection;
using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Detection.Response;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.Auth;
using Rampart.Server.Http;

namespace Rampart.Server.Detection;

/// <summary>
/// <c>/api/v1/alerts</c> and <c>/api/v1/detection/rules</c>. Reading alerts needs <c>events:read</c>;
/// working them (acknowledge, resolve, suppress) and changing the rules needs <c>devices:quarantine</c>,
/// the security officer's permission. An alert about a device outside the caller's site/zone scope does not exist for them.
/// </summary>
public static class AlertEndpoints
{
    /// <summary>Largest rules document the API reads.</summary>
    public const int MaxRulesBytes = Rampart.Detection.Profiles.RuleSet.MaxDocumentBytes;

    public static RouteGroupBuilder MapAlertEndpoints(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts");

        alerts.MapGet("/", async (string? state, string? device, string? severity, long? before, int? limit, HttpContext context,
            AlertService service, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            var query = new AlertQuery(Parse<AlertState>(state, "state"), device, Parse<AlertSeverity>(severity, "severity"), before, limit ?? 100);
            var page = await service.ListAsync(query, cancellationToken);
            var visible = new List<AlertResponse>(page.Count);
            foreach (var alert in page)
            {
                if (await VisibleAsync(alert, context, inventory, cancellationToken))
                {
                    visible.Add(AlertResponse.From(alert));
                }
            }

            return TypedResults.Ok(new AlertPage(visible, page.Count == query.Limit ? page[^1].Id : null));
        }).RequirePermission(Permissions.EventsRead);

        alerts.MapGet("/{id:long}", async (long id, HttpContext context, AlertService service, InventoryService inventory, DetectionEngine engine, CancellationToken cancellationToken) =>
        {
            var alert = await VisibleAlertAsync(id, context, service, inventory, cancellationToken);
            var recent = engine.Read(alert.DeviceId, profile => profile.Recent()) ?? [];
            return TypedResults.Ok(new AlertDetailResponse(AlertResponse.From(alert), recent.Select(WindowValues.Named).ToArray()));
        }).RequirePermission(Permissions.EventsRead);

        alerts.MapPost("/{id:long}/ack", async (long id, AcknowledgeRequest body, HttpContext context, AlertService service, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await VisibleAlertAsync(id, context, service, inventory, cancellationToken);
            return TypedResults.Ok(AlertResponse.From(await service.AcknowledgeAsync(id, AdminActor.Of(context.User), body.Note, cancellationToken)));
        }).RequirePermission(Permissions.DevicesQuarantine);

        alerts.MapPost("/{id:long}/resolve", async (long id, Rampart.Server.Api.ReasonRequest body, HttpContext context, AlertService service, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await VisibleAlertAsync(id, context, service, inventory, cancellationToken);
            return TypedResults.Ok(AlertResponse.From(await service.ResolveAsync(id, AdminActor.Of(context.User), body.Reason, cancellationToken)));
        }).RequirePermission(Permissions.DevicesQuarantine);

        alerts.MapPost("/{id:long}/suppress", async (long id, SuppressRequest body, HttpContext context, AlertService service, InventoryService inventory, TimeProvider time, CancellationToken cancellationToken) =>
        {
            await VisibleAlertAsync(id, context, service, inventory, cancellationToken);
            var until = (body.Until, body.Minutes) switch
            {
                ({ } at, null) => at,
                (null, { } minutes and > 0 and <= 90 * 24 * 60) => time.GetUtcNow().AddMinutes(minutes),
                _ => throw new FleetException(FleetErrorKind.Invalid, "give either until (a time) or minutes (1 to 129600)"),
            };
            return TypedResults.Ok(AlertResponse.From(await service.SuppressAsync(id, AdminActor.Of(context.User), until, body.Reason, cancellationToken)));
        }).RequirePermission(Permissions.DevicesQuarantine);

        // Release from quarantine with proof: a fresh posture whose measurement matches the installed release, plus this operator.
        api.MapPost("/detection/release/{id}", async (string id, Rampart.Server.Api.ReasonRequest body, HttpContext context, InventoryService inventory,
            QuarantineRelease proof, CancellationToken cancellationToken) =>
        {
            await Rampart.Server.Api.DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            if (body.Reason.Length is 0 or > AlertService.MaxReasonLength)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"a reason of 1 to {AlertService.MaxReasonLength} characters is required");
            }

            await inventory.ReleaseAsync(id, body.Reason, AdminActor.Of(context.User), proof, cancellationToken);
            return TypedResults.Ok(Rampart.Server.Api.DeviceResponse.From(await inventory.GetAsync(id, cancellationToken)));
        }).RequirePermission(Permissions.DevicesQuarantine);

        var rules = api.MapGroup("/detection/rules");
        rules.MapGet("/", (DetectionRules inForce) => TypedResults.Ok(inForce.InForce().Select(r => RuleResponse.From(r.Rule, r.Source)).ToArray()))
            .RequirePermission(Permissions.EventsRead);

        // The body is the rules document itself (JSON), read within its own limit and validated whole.
        rules.MapPut("/", async (HttpContext context, DetectionRules inForce, CancellationToken cancellationToken) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            var set = await inForce.SetAsync(buffer.ToArray(), AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(set.Select(r => RuleResponse.From(r.Rule, r.Source)).ToArray());
        }).RequirePermission(Permissions.DevicesQuarantine).WithMetadata(new BodySizeLimit(MaxRulesBytes));

        return api;
    }

    private static T? Parse<T>(string? text, string name)
        where T : struct, Enum =>
        text is null ? null
        : Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !text.Any(char.IsDigit) ? value
        : throw new FleetException(FleetErrorKind.Invalid, $"{name} must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    private static async Task<Alert> VisibleAlertAsync(long id, HttpContext context, AlertService service, InventoryService inventory, CancellationToken cancellationToken)
    {
        var alert = await service.GetAsync(id, cancellationToken);
        return await VisibleAsync(alert, context, inventory, cancellationToken) ? alert : throw new FleetException(FleetErrorKind.NotFound, $"no alert {id}");
    }

    internal static async Task<bool> VisibleAsync(Alert alert, HttpContext context, InventoryService inventory, CancellationToken cancellationToken)
    {
        var identity = OperatorClaims.Identity(context.User);
        if (identity.Sites.Count == 0 && identity.Zones.Count == 0)
        {
            return true;
        }

        try
        {
            return identity.CanSee(await inventory.GetAsync(alert.DeviceId, cancellationToken));
        }
        catch (FleetException exception) when (exception.Kind == FleetErrorKind.NotFound)
        {
            return false;
        }
    }
}
