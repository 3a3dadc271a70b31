using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Network;
using Rampart.Server.Admin;
using Rampart.Server.Auth;
using Rampart.Server.Http;

namespace Rampart.Server.Network;

/// <summary>
/// <c>/api/v1/network</c>: import a capture (<c>system:write</c>; the body is the pcap or pcapng file, up
/// to <see cref="NetworkOptions.MaxCaptureBytes"/>), list the passive inventory (<c>devices:read</c>).
/// A malformed capture is a 400 with the reason and imports nothing.
/// </summary>
public static class NetworkEndpoints
{
    public static IEndpointRouteBuilder MapNetwork(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/network").RequireAuthorization().RequireAntiforgeryForCookies();
        var limit = endpoints.ServiceProvider.GetService(typeof(NetworkOptions)) is NetworkOptions options ? options.MaxCaptureBytes : new NetworkOptions().MaxCaptureBytes;
        api.MapPost("/imports", async (HttpContext context, NetworkVisibility visibility, CancellationToken cancellationToken) =>
            TypedResults.Ok(await Checked(() => visibility.ImportCaptureAsync(context.Request.Body, AdminActor.Of(context.User), cancellationToken))))
            .WithMetadata(new BodySizeLimit(limit)).RequirePermission(Permissions.SystemWrite);

        api.MapGet("/devices", async (bool? unknown, int? limit, NetworkVisibility visibility, CancellationToken cancellationToken) =>
            TypedResults.Ok(await visibility.ListAsync(unknown ?? false, limit ?? 1000, cancellationToken))).RequirePermission(Permissions.DevicesRead);

        // Bindings by hand (docs/network-visibility.md): an address or MAC is a device's, audited.
        api.MapPost("/bindings", async (NetworkBindingRequest body, HttpContext context, NetworkVisibility visibility, CancellationToken cancellationToken) =>
            TypedResults.Ok(await Checked(() => visibility.AddBindingAsync(body.Address, body.Mac, body.DeviceId ?? string.Empty, AdminActor.Of(context.User), cancellationToken))))
            .RequirePermission(Permissions.DevicesWrite);
        api.MapDelete("/bindings", async (string? address, string? mac, HttpContext context, NetworkVisibility visibility, CancellationToken cancellationToken) =>
            TypedResults.Ok(await Checked(() => visibility.RemoveBindingAsync(address, mac, AdminActor.Of(context.User), cancellationToken))))
            .RequirePermission(Permissions.DevicesWrite);
        api.MapGet("/bindings", async (NetworkVisibility visibility, CancellationToken cancellationToken) =>
            TypedResults.Ok(await visibility.ListBindingsAsync(cancellationToken))).RequirePermission(Permissions.DevicesRead);
        return endpoints;
    }

    // A client's bad address or MAC is a 400 with the reason.
    private static async Task<T> Checked<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (NetworkInputException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, exception.Message);
        }
    }
}

/// <summary>Body of <c>POST /api/v1/network/bindings</c>: the device, and exactly one of an address and a MAC.</summary>
public sealed record NetworkBindingRequest(string? DeviceId, string? Address, string? Mac);
