using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Requests;
using Rampart.Server.Auth;

namespace Rampart.Server.Privacy;

/// <summary>
/// <c>/api/v1/privacy/archive</c> (issue 19 §4): what the archive holds per region and what happened
/// to offered messages; a device's archived messages in a time range, decrypted (forensics), needing
/// <c>privacy:admin</c> like every read of a subject's data.
/// </summary>
internal static class ArchiveEndpoints
{
    /// <summary>Most messages one query returns.</summary>
    public const int MaxQueryMessages = 10_000;

    public static RouteGroupBuilder MapArchive(this RouteGroupBuilder privacy)
    {
        privacy.MapGet("/archive", async (TelemetryArchive archive, CancellationToken cancellationToken) =>
            TypedResults.Ok(new ArchiveStatusResponse(archive.Enabled, await archive.HeldAsync(cancellationToken), archive.Counters)))
            .RequirePermission(Permissions.PrivacyAdmin);

        privacy.MapPost("/archive/query", (ArchiveQueryRequest body, TelemetryArchive archive, SubjectDirectory subjects, CancellationToken cancellationToken) =>
        {
            var limit = body.Limit ?? 1_000;
            if (limit is < 1 or > MaxQueryMessages || (body.From is { } from && body.To is { } to && to <= from) || string.IsNullOrEmpty(body.Device))
            {
                throw new FleetException(FleetErrorKind.Invalid, $"an archive query names a device, a limit between 1 and {MaxQueryMessages}, and 'to' after 'from'");
            }

            // A device linked to no subject has nothing archived (nothing to seal it with): the answer is empty.
            var owner = subjects.Find(body.Device);
            var messages = owner is null
                ? AsyncEnumerable.Empty<ExportedArchiveMessage>()
                : archive.ReadAsync(owner.Region, new ArchiveQuery(owner.Pseudonym, body.Device, body.From, body.To, body.After ?? 0, limit), cancellationToken).Select(ExportedArchiveMessage.From);
            return TypedResults.Ok(new ArchiveQueryResponse(body.Device, messages));
        }).RequirePermission(Permissions.PrivacyAdmin);
        return privacy;
    }
}

/// <summary>A device's archived messages in [From, To), after an id (paging).</summary>
public sealed record ArchiveQueryRequest(string Device, DateTimeOffset? From = null, DateTimeOffset? To = null, long? After = null, int? Limit = null);

/// <summary>The messages found, in id order (pass the last id as <c>after</c> for the next page).</summary>
public sealed record ArchiveQueryResponse(string Device, IAsyncEnumerable<ExportedArchiveMessage> Messages);

/// <summary>Whether the archive runs, what each region's store holds, and what happened to offered messages.</summary>
public sealed record ArchiveStatusResponse(bool Enabled, IReadOnlyDictionary<string, long> Held, ArchiveCounters Counters);
