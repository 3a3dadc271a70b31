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
        {
            try
            {
                return TypedResults.Ok(await visibility.ImportCaptureAsync(context.Request.Body, AdminActor.Of(context.User), cancellationToken));
            }
            catch (NetworkInputException exception)
            {
                throw new FleetException(FleetErrorKind.Invalid, exception.Message);
            }
        }).WithMetadata(new BodySizeLimit(limit)).RequirePermission(Permissions.SystemWrite);

        api.MapGet("/devices", async (bool? unknown, int? limit, NetworkVisibility visibility, CancellationToken cancellationToken) =>
            TypedResults.Ok(await visibility.ListAsync(unknown ?? false, limit ?? 1000, cancellationToken))).RequirePermission(Permissions.DevicesRead);
        return endpoints;
    }
}
