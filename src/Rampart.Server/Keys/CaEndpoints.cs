using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Server.Admin;
using Rampart.Server.Auth;

namespace Rampart.Server.Keys;

/// <summary>Body of <c>POST /api/v1/ca/rollover</c>: how long the replaced issuing CA stays trusted (default 90 days).</summary>
public sealed record CaRolloverRequest(int? OverlapDays);

/// <summary><c>POST /api/v1/ca/rollover</c>: roll the issuing CA over on the running node (<see cref="LiveCaRollover"/>).</summary>
public static class CaEndpoints
{
    /// <summary>Maps the endpoint; it needs <c>system:write</c> (the admin socket has it).</summary>
    public static RouteGroupBuilder MapCaEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/ca/rollover", async (CaRolloverRequest? body, HttpContext context, LiveCaRollover rollover, CancellationToken cancellationToken) =>
        {
            var days = body?.OverlapDays ?? (int)CaRollover.DefaultOverlap.TotalDays;
            if (days is < 1 or > 3650)
            {
                throw new Fleet.Errors.FleetException(Fleet.Errors.FleetErrorKind.Invalid, "overlapDays must be between 1 and 3650");
            }

            var result = await rollover.RolloverAsync(AdminActor.Of(context.User), TimeSpan.FromDays(days), cancellationToken);
            return TypedResults.Ok(result);
        }).RequirePermission(Fleet.Operators.Permissions.SystemWrite);
        return api;
    }
}
