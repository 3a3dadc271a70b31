using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;

namespace Rampart.Server.Api;

/// <summary>Four-eyes requests: list, approve, deny. Deciding needs the operation's own permission, checked by the service.</summary>
public static class ApprovalEndpoints
{
    /// <summary>Maps <c>/approvals</c>.</summary>
    public static RouteGroupBuilder MapApprovalEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/approvals", async (string? status, ApprovalService approvals, CancellationToken cancellationToken) =>
        {
            ApprovalStatus? filter = status is null ? null
                : Enum.TryParse<ApprovalStatus>(status, ignoreCase: true, out var parsed) ? parsed
                : throw new FleetException(FleetErrorKind.Invalid, $"unknown status '{Echo.Of(status)}'; one of: {string.Join(", ", Enum.GetNames<ApprovalStatus>().Select(n => n.ToLowerInvariant()))}");
            return TypedResults.Ok((await approvals.ListAsync(filter, cancellationToken)).Select(From).ToArray());
        }).RequirePermission(Permissions.ApprovalsRead);

        api.MapPost("/approvals/{id:long}/approve", async (long id, HttpContext context, ApprovalService approvals, CancellationToken cancellationToken) =>
            TypedResults.Ok(From(await approvals.ApproveAsync(id, OperatorClaims.Identity(context.User), cancellationToken)))).RequireOperator();

        api.MapPost("/approvals/{id:long}/deny", async (long id, DenyRequest? body, HttpContext context, ApprovalService approvals, CancellationToken cancellationToken) =>
            TypedResults.Ok(From(await approvals.DenyAsync(id, OperatorClaims.Identity(context.User), body?.Reason, cancellationToken)))).RequireOperator();
        return api;
    }

    /// <summary>The API view of a request.</summary>
    public static ApprovalResponse From(Approval a) => new(a.Id, a.Operation, a.Summary, a.Permission, a.RequestedBy, a.Requested, a.Expires,
        a.Status.ToString().ToLowerInvariant(), a.DecidedBy, a.Decided, a.Result);
}
