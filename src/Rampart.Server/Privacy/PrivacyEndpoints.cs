using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Operators;
using Rampart.Privacy.Classification;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Requests;
using Rampart.Privacy.Retention;
using Rampart.Privacy.Subjects;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.Auth;

namespace Rampart.Server.Privacy;

/// <summary>
/// <c>/api/v1/privacy</c>. Subject ids travel only in request bodies (never in a URL a log could
/// keep). Reading the inventory needs <c>audit:read</c>; subjects, devices, consents, export, erasure
/// (requesting and approving it) and the telemetry archive the dedicated <c>privacy:admin</c>
/// (the privacy-officer role; not the fleet's <c>devices:write</c> nor the node's <c>system:write</c>);
/// KEK rotation and retention <c>system:write</c> (erasure and a shorter retention then wait for a second person).
/// </summary>
public static class PrivacyEndpoints
{
    /// <summary>The export answer's header: <c>subject</c> when something is held about the subject, else <c>none</c>.</summary>
    public const string ExportHeldHeader = "Rampart-Export-Held";

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder endpoints)
    {
        var privacy = endpoints.MapGroup("/api/v1/privacy").RequireAuthorization().RequireAntiforgeryForCookies();

        privacy.MapGet("/inventory", async (ProcessingRecord record, CancellationToken cancellationToken) =>
            TypedResults.Ok(await record.BuildAsync(cancellationToken))).RequirePermission(Permissions.AuditRead);

        privacy.MapPost("/subjects", async (SubjectAddRequest body, HttpContext context, SubjectService subjects, CancellationToken cancellationToken) =>
            TypedResults.Ok(new SubjectResponse(await subjects.AddAsync(body.Subject, body.Region, body.Fields, AdminActor.Of(context.User), cancellationToken))))
            .RequirePermission(Permissions.PrivacyAdmin);

        privacy.MapPost("/subjects/devices", async (SubjectDeviceRequest body, HttpContext context, SubjectService subjects, CancellationToken cancellationToken) =>
        {
            await subjects.LinkDeviceAsync(body.Subject, body.Device, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(new SubjectResponse(subjects.PseudonymOf(body.Subject)));
        }).RequirePermission(Permissions.PrivacyAdmin);

        privacy.MapPost("/subjects/consents", async (ConsentRequest body, HttpContext context, SubjectService subjects, CancellationToken cancellationToken) =>
        {
            await subjects.SetConsentAsync(body.Subject, body.Purpose, body.Granted, AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(new SubjectResponse(subjects.PseudonymOf(body.Subject)));
        }).RequirePermission(Permissions.PrivacyAdmin);

        // Streamed (the archive part as it is read and decrypted); the header says whether anything is held, so a client need not parse it all to know.
        privacy.MapPost("/subjects/export", async (SubjectRequest body, SubjectExport export, HttpContext context, CancellationToken cancellationToken) =>
        {
            var document = await export.ExportAsync(body.Subject, cancellationToken);
            context.Response.Headers[ExportHeldHeader] = document.Subject is null ? "none" : "subject";
            return TypedResults.Ok(document);
        }).RequirePermission(Permissions.PrivacyAdmin);

        privacy.MapPost("/subjects/erase", async (SubjectRequest body, HttpContext context, SubjectService subjects, ApprovalService approvals, CancellationToken cancellationToken) =>
            TypedResults.Ok(ApprovalEndpoints.From(await SubjectErasure.RequestAsync(approvals, subjects.PseudonymOf(body.Subject), OperatorClaims.Identity(context.User), cancellationToken))))
            .RequirePermission(Permissions.PrivacyAdmin);

        privacy.MapArchive();

        privacy.MapPost("/kek/rotate", async (HttpContext context, KekRotation rotation, CancellationToken cancellationToken) =>
        {
            var (version, rewrapped) = await rotation.RotateAsync(AdminActor.Of(context.User), cancellationToken);
            return TypedResults.Ok(new KekRotationResponse(version, rewrapped));
        }).RequirePermission(Permissions.SystemWrite);

        privacy.MapGet("/retention", async (RetentionPolicy retention, CancellationToken cancellationToken) =>
            TypedResults.Ok(await retention.PeriodsAsync(cancellationToken))).RequirePermission(Permissions.AuditRead);

        privacy.MapPut("/retention", async (RetentionRequest body, HttpContext context, RetentionPolicy retention, ApprovalService approvals, CancellationToken cancellationToken) =>
        {
            var approval = await retention.SetAsync(body.Category, body.Days, OperatorClaims.Identity(context.User), approvals, cancellationToken);
            return TypedResults.Ok(new RetentionChangeResponse(approval is null, approval is null ? null : ApprovalEndpoints.From(approval)));
        }).RequirePermission(Permissions.SystemWrite);

        privacy.MapPost("/retention/run", async (RetentionJob job, CancellationToken cancellationToken) =>
            TypedResults.Ok(await job.RunOnceAsync(cancellationToken))).RequirePermission(Permissions.SystemWrite);
        return endpoints;
    }
}
