using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.Auth;

namespace Rampart.Server.Api;

/// <summary>The inventory: add, list, show, retire, quarantine, release, new bootstrap token.</summary>
public static class DeviceEndpoints
{
    /// <summary>Maps <c>/devices</c>.</summary>
    public static RouteGroupBuilder MapDeviceEndpoints(this RouteGroupBuilder api)
    {
        var devices = api.MapGroup("/devices");

        devices.MapPost("/", async (AddDeviceRequest body, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            var identity = OperatorClaims.Identity(context.User);
            if (!identity.CanSee(new Device(body.Id, null, null, null, null, body.Site, body.Zone, [], DeviceState.Registered, null, default, default)))
            {
                throw new FleetException(FleetErrorKind.Forbidden, "the device's site and zone are outside your scope");
            }

            var (device, token) = await inventory.AddAsync(
                new NewDevice(body.Id, body.Model, body.Vendor, body.HardwareRevision, body.Site, body.Zone, body.Tags, body.SupportUntil),
                AdminActor.Of(context.User), cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Created($"/api/v1/devices/{device.Id}",
                new AddDeviceResponse(DeviceResponse.From(device), new BootstrapTokenResponse(token.DeviceId, token.Token, token.Expires)));
        }).RequirePermission(Permissions.DevicesWrite);

        devices.MapGet("/", async (string? after, int? limit, DeviceState? state, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            var identity = OperatorClaims.Identity(context.User);
            var page = await inventory.ListAsync(new DeviceQuery(after, limit ?? 100, state, identity.Sites, identity.Zones), cancellationToken);
            return TypedResults.Ok(new DevicePage(page.Select(DeviceResponse.From).ToArray(), page.Count == (limit ?? 100) ? page[^1].Id : null));
        }).RequirePermission(Permissions.DevicesRead);

        devices.MapGet("/{id}", async (string id, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
            TypedResults.Ok(DeviceResponse.From(await VisibleAsync(id, context, inventory, cancellationToken))))
            .RequirePermission(Permissions.DevicesRead);

        devices.MapPost("/{id}/retire", async (string id, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await VisibleAsync(id, context, inventory, cancellationToken);
            return TypedResults.Ok(new RevokeResponse(await inventory.RetireAsync(id, AdminActor.Of(context.User), cancellationToken)));
        }).RequirePermission(Permissions.DevicesWrite);

        devices.MapPost("/{id}/quarantine", async (string id, ReasonRequest body, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await VisibleAsync(id, context, inventory, cancellationToken);
            await inventory.QuarantineAsync(id, body.Reason, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(DeviceResponse.From(await inventory.GetAsync(id, cancellationToken)));
        }).RequirePermission(Permissions.DevicesQuarantine);

        // The same proof as POST /detection/release/{id} (issue 14, item 5): a fresh posture matching the installed release.
        devices.MapPost("/{id}/release", async (string id, ReasonRequest body, HttpContext context, InventoryService inventory,
            Rampart.Detection.Response.QuarantineRelease proof, CancellationToken cancellationToken) =>
        {
            await VisibleAsync(id, context, inventory, cancellationToken);
            await inventory.ReleaseAsync(id, body.Reason, AdminActor.Of(context.User), proof, cancellationToken);
            return TypedResults.Ok(DeviceResponse.From(await inventory.GetAsync(id, cancellationToken)));
        }).RequirePermission(Permissions.DevicesQuarantine);

        devices.MapPost("/{id}/bootstrap-token", async (string id, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await VisibleAsync(id, context, inventory, cancellationToken);
            var token = await inventory.IssueBootstrapTokenAsync(id, AdminActor.Of(context.User), cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new BootstrapTokenResponse(token.DeviceId, token.Token, token.Expires));
        }).RequirePermission(Permissions.DevicesWrite);

        return api;
    }

    /// <summary>The device if it is inside the caller's scope; outside it, it does not exist for them.</summary>
    public static async Task<Device> VisibleAsync(string id, HttpContext context, InventoryService inventory, CancellationToken cancellationToken)
    {
        var device = await inventory.GetAsync(id, cancellationToken);
        return OperatorClaims.Identity(context.User).CanSee(device) ? device : throw new FleetException(FleetErrorKind.NotFound, $"no device {Echo.Of(id)}");
    }
}
