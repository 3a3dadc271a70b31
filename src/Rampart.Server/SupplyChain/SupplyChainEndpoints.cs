using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.Auth;
using Rampart.Server.Http;
using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Stores;

namespace Rampart.Server.SupplyChain;

/// <summary>
/// Supply chain's API under <c>/api/v1</c>, authenticated like every admin endpoint. Reading (exposure,
/// components) needs <c>devices:read</c> and counts only the devices in the caller's site/zone scope;
/// changing what the node knows (vulnerability data, base SBOMs, VEX) needs <c>releases:write</c>, the
/// release engineer's permission, and is audited.
/// </summary>
public static class SupplyChainEndpoints
{
    /// <summary>Largest import batch, SBOM or VEX body.</summary>
    public const long MaxBodyBytes = 32L * 1024 * 1024;

    public static IEndpointRouteBuilder MapSupplyChain(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization().RequireAntiforgeryForCookies();

        api.MapPost("/vulnerabilities/import", async (ImportRequest body, HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.ImportAsync(body.Records ?? [], body.Complete, AdminActor.Of(context.User), cancellationToken)))
            .WithMetadata(new BodySizeLimit(MaxBodyBytes)).RequirePermission(Permissions.ReleasesWrite);

        // CISA's KEV catalog as published (its JSON feed), validated here against the official schema; replaces the last one.
        api.MapPut("/vulnerabilities/known-exploited", async (HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.ImportKnownExploitedAsync(await BodyAsync(context, cancellationToken), AdminActor.Of(context.User), cancellationToken)))
            .WithMetadata(new BodySizeLimit(MaxBodyBytes)).RequirePermission(Permissions.ReleasesWrite);

        api.MapPost("/exposure/recompute", async (HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(await service.RecomputeAsync(AdminActor.Of(context.User), cancellationToken))).RequirePermission(Permissions.ReleasesWrite);

        // On demand attestation: a fresh nonce on the device's command topic; the verdict arrives as a security event.
        api.MapPost("/attestation/devices/{id}", async (string id, HttpContext context, Attestation.AttestationService attestation, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            _ = await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            return TypedResults.Ok(new AttestationChallengeResponse(id, await attestation.ChallengeAsync(id, cancellationToken)));
        }).RequirePermission(Permissions.DevicesWrite);

        api.MapGet("/exposure", async (HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(ExposureResponse.From("fleet", await service.ExposureAsync(Scoped(context), cancellationToken)))).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/exposure/devices/{id}", async (string id, HttpContext context, SupplyChainService service, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            var items = await service.ExposureAsync(Scoped(context), cancellationToken);
            return TypedResults.Ok(ExposureResponse.From($"device:{id}", items.Where(i => i.Devices.Contains(id, StringComparer.Ordinal))
                .Select(i => i with { Devices = [id] })));
        }).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/exposure/models/{model}", async (string model, HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
            TypedResults.Ok(ExposureResponse.From($"model:{model}", (await service.ExposureAsync(Scoped(context), cancellationToken))
                .Where(i => i.Model == model)))).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/exposure/releases/{id}", async (string id, HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
        {
            var items = (await service.ExposureAsync(Scoped(context), cancellationToken)).Where(i => i.Scope == SbomScope.Release(id)).ToArray();
            return TypedResults.Ok(ExposureResponse.From($"release:{id}", items));
        }).RequirePermission(Permissions.DevicesRead);

        api.MapPut("/sbom/models/{model}", async (string model, HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
        {
            var stored = await service.SetBaseSbomAsync(model, await BodyAsync(context, cancellationToken), AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(new SbomResponse(stored.Scope.Key, stored.Sha256, stored.Description, null, stored.Components));
        }).WithMetadata(new BodySizeLimit(MaxBodyBytes)).RequirePermission(Permissions.ReleasesWrite);

        api.MapGet("/sbom/releases/{id}", async (string id, SupplyChainService service, NodeStoresView stores, CancellationToken cancellationToken) =>
        {
            await service.PictureAsync(new DeviceQuery(Limit: 1), cancellationToken);
            var stored = await stores.Sboms.GetAsync(SbomScope.Release(id), cancellationToken)
                ?? throw new FleetException(FleetErrorKind.NotFound, $"release {Echo.Of(id)} has no SBOM");
            return TypedResults.Ok(new SbomResponse(stored.Scope.Key, stored.Sha256, stored.Description, stored.Problem, stored.Components));
        }).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/sbom/devices/{id}", async (string id, HttpContext context, SupplyChainService service, InventoryService inventory, CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            var picture = await service.PictureAsync(Scoped(context), cancellationToken);
            var device = picture.Devices.FirstOrDefault(d => d.DeviceId == id) ?? throw new FleetException(FleetErrorKind.NotFound, $"no device {Echo.Of(id)}");
            return TypedResults.Ok(new DeviceComponentsResponse(id, device.ReleaseId, picture.ComponentsOf(device).Select(c => new ScopedComponent(c.Scope.Key, c.Component)).ToArray()));
        }).RequirePermission(Permissions.DevicesRead);

        api.MapGet("/sbom/components", async (string? name, string? purl, string? from, string? below, HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
        {
            if (name is null && purl is null)
            {
                throw new FleetException(FleetErrorKind.Invalid, "give the component's name or purl");
            }

            var picture = await service.PictureAsync(Scoped(context), cancellationToken);
            return TypedResults.Ok(new ComponentQuery(name, purl, from, below).DevicesIn(picture).Take(10_000)
                .Select(r => new DeviceComponentResponse(r.Device.DeviceId, r.Device.ReleaseId, r.Scope.Key, r.Component.Name, r.Component.Version, r.Component.Purl)).ToArray());
        }).RequirePermission(Permissions.DevicesRead);

        foreach (var kind in new[] { SbomScopeKind.Release, SbomScopeKind.Model })
        {
            api.MapPut($"/vex/{(kind == SbomScopeKind.Release ? "releases" : "models")}/{{id}}", async (string id, HttpContext context, SupplyChainService service, CancellationToken cancellationToken) =>
                TypedResults.Ok((await service.SetVexAsync(new SbomScope(kind, id), await BodyAsync(context, cancellationToken), AdminActor.Of(context.User), cancellationToken)).Count))
                .WithMetadata(new BodySizeLimit(MaxBodyBytes)).RequirePermission(Permissions.ReleasesWrite);
        }

        api.MapReleaseGateEndpoints();
        return endpoints;
    }

    // The caller's site/zone scope as a device query: devices outside it are not counted for them.
    private static DeviceQuery Scoped(HttpContext context)
    {
        var identity = OperatorClaims.Identity(context.User);
        return new DeviceQuery(Sites: identity.Sites, Zones: identity.Zones);
    }

    private static async Task<byte[]> BodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.Length > 0 ? buffer.ToArray() : throw new FleetException(FleetErrorKind.Invalid, "the request body (the document) is empty");
    }
}
