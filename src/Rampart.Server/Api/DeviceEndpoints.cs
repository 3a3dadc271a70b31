using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Inventory;
using Rampart.Server.Admin;

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
            var (device, token) = await inventory.AddAsync(
                new NewDevice(body.Id, body.Model, body.Vendor, body.HardwareRevision, body.Site, body.Zone, body.Tags, body.SupportUntil),
                AdminActor.Of(context.User), cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Created($"/api/v1/devices/{device.Id}",
                new AddDeviceResponse(DeviceResponse.From(device), new BootstrapTokenResponse(token.DeviceId, token.Token, token.Expires)));
        });

        devices.MapGet("/", async (string? after, int? limit, DeviceState? state, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            var page = await inventory.ListAsync(new DeviceQuery(after, limit ?? 100, state), cancellationToken);
            return TypedResults.Ok(new DevicePage(page.Select(DeviceResponse.From).ToArray(), page.Count == (limit ?? 100) ? page[^1].Id : null));
        });

        devices.MapGet("/{id}", async (string id, InventoryService inventory, CancellationToken cancellationToken) =>
            TypedResults.Ok(DeviceResponse.From(await inventory.GetAsync(id, cancellationToken))));

        devices.MapPost("/{id}/retire", async (string id, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
            TypedResults.Ok(new RevokeResponse(await inventory.RetireAsync(id, AdminActor.Of(context.User), cancellationToken))));

        devices.MapPost("/{id}/quarantine", async (string id, ReasonRequest body, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await inventory.QuarantineAsync(id, body.Reason, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(DeviceResponse.From(await inventory.GetAsync(id, cancellationToken)));
        });

        devices.MapPost("/{id}/release", async (string id, ReasonRequest body, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await inventory.ReleaseAsync(id, body.Reason, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(DeviceResponse.From(await inventory.GetAsync(id, cancellationToken)));
        });

        devices.MapPost("/{id}/bootstrap-token", async (string id, HttpContext context, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            var token = await inventory.IssueBootstrapTokenAsync(id, AdminActor.Of(context.User), cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new BootstrapTokenResponse(token.DeviceId, token.Token, token.Expires));
        });

        return api;
    }
}
