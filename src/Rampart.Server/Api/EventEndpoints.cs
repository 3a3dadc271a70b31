using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;

namespace Rampart.Server.Api;

/// <summary>Security events and the audit log, read-only.</summary>
public static class EventEndpoints
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Maps <c>/events</c> and <c>/audit</c>.</summary>
    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/events", async (string? device, int? limit, ISecurityEventStore events, CancellationToken cancellationToken) =>
            TypedResults.Ok((await events.ListAsync(device, Limit(limit), cancellationToken))
                .Select(e => new SecurityEventResponse(e.Time, e.Kind, e.Severity.ToString().ToLowerInvariant(), e.DeviceId, e.Source, e.Details)).ToArray()))
            .RequirePermission(Permissions.EventsRead);

        api.MapGet("/audit", async (long? after, int? limit, IAuditStore audit, CancellationToken cancellationToken) =>
        {
            var size = Limit(limit);
            var items = new List<AuditEntryResponse>(size);
            await foreach (var entry in audit.ReadEntriesAsync((after ?? 0) + 1, cancellationToken))
            {
                items.Add(new AuditEntryResponse(entry.Sequence, entry.Time, entry.Actor, entry.Action, entry.Target, entry.Outcome, entry.Details));
                if (items.Count == size)
                {
                    break;
                }
            }

            return TypedResults.Ok(new AuditPage(items, items.Count == size ? items[^1].Sequence : null));
        }).RequirePermission(Permissions.AuditRead);
        return api;
    }

    private static int Limit(int? limit) => limit switch
    {
        null => 100,
        < 1 or > MaxLimit => throw new FleetException(FleetErrorKind.Invalid, $"limit must be 1 to {MaxLimit}"),
        _ => limit.Value,
    };
}
