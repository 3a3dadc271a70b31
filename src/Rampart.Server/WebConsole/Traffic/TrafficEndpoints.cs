using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Server.Api;
using Rampart.Server.Auth;

namespace Rampart.Server.WebConsole.Traffic;

/// <summary>
/// <c>GET /api/v1/devices/{id}/traffic/minutes</c>: the device's last hour per minute (what its console page draws),
/// with <c>devices:read</c> and the same scope check as <c>GET /api/v1/devices/{id}/traffic</c> (the counters since start).
/// </summary>
internal static class TrafficEndpoints
{
    public static void MapTrafficEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGroup("/api/v1").RequireAuthorization().RequireAntiforgeryForCookies()
            .MapGet("/devices/{id}/traffic/minutes", async (string id, HttpContext context, InventoryService inventory, TrafficHistory history, CancellationToken cancellationToken) =>
            {
                var device = await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
                var hour = history.HourOf(device.Id);
                return TypedResults.Ok(new TrafficResponse(device.Id, hour.Since, hour.Minutes.Select(m =>
                    new TrafficMinuteResponse(m.Start, m.MessagesIn, m.BytesIn, m.MessagesOut, m.BytesOut, m.Refusals)).ToArray()));
            }).RequirePermission(Permissions.DevicesRead);
}

/// <summary>A device's last hour: per minute, oldest first, the last one in progress; <c>since</c> is when the node began counting.</summary>
internal sealed record TrafficResponse(string DeviceId, DateTimeOffset Since, IReadOnlyList<TrafficMinuteResponse> Minutes);

/// <summary>One minute: messages and bytes in and out, refusals (denied packets and limit hits).</summary>
internal sealed record TrafficMinuteResponse(DateTimeOffset Start, long MessagesIn, long BytesIn, long MessagesOut, long BytesOut, long Refusals);
