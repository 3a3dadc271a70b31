using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.Auth;

namespace Rampart.Server.Setup;

/// <summary><c>POST /api/v1/setup-token</c>: rotate the one-time setup token (admin only).</summary>
public static class SetupTokenEndpoints
{
    /// <summary>Maps the endpoint; it requires an authenticated admin.</summary>
    public static RouteGroupBuilder MapSetupTokenEndpoints(this RouteGroupBuilder endpoints)
    {
        endpoints.MapPost("/setup-token", async (HttpContext context, SetupTokenService tokens, CancellationToken cancellationToken) =>
        {
            var issued = await tokens.RotateAsync(AdminActor.Of(context.User), AdminActor.Details(context.User), cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Created("/api/v1/setup-token", new SetupTokenResponse(issued.Token, issued.Expires));
        }).RequirePermission(Fleet.Operators.Permissions.SystemWrite);
        return endpoints;
    }
}
