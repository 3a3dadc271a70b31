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
        // Without "after": the newest first. With it: those stored after that id, oldest first — what
        // "rampart events tail" polls to follow the stream.
        api.MapGet("/events", async (string? device, int? limit, long? after, ISecurityEventStore events, CancellationToken cancellationToken) =>
        {
            var found = after is { } cursor
                ? await events.ListAfterAsync(cursor, device, Limit(limit), cancellationToken)
                : await events.ListAsync(device, Limit(limit), cancellationToken);
            return TypedResults.Ok(found.Select(stored => new SecurityEventResponse(
                stored.Id, stored.Event.Time, stored.Event.Kind, stored.Event.Severity.ToString().ToLowerInvariant(), stored.Event.DeviceId,
                stored.Event.Source, stored.Event.Details)).ToArray());
        }).RequirePermission(Permissions.EventsRead);

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
