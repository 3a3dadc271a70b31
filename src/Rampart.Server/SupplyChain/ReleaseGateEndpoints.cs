using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Server.Api;
using Rampart.Server.Auth;
using Rampart.Server.Updates;
using Rampart.SupplyChain.Policy;
using Rampart.Updates.Releases;

namespace Rampart.Server.SupplyChain;

/// <summary>The release gate's verdict on a release, and the four-eyes override of a refusal.</summary>
public static class ReleaseGateEndpoints
{
    public static RouteGroupBuilder MapReleaseGateEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/releases/{id}/gate", async (string id, ReleaseService releases, ReleaseGateService gate, Rampart.SupplyChain.SupplyChainOptions options, CancellationToken cancellationToken) =>
        {
            var (refusals, assessments) = await gate.EvaluateAsync(await releases.GetAsync(id, cancellationToken), cancellationToken);
            return TypedResults.Ok(new GateResponse(id, refusals.Count == 0, options.EnforceGate, refusals, assessments.Select(FindingView.Of).ToArray()));
        }).RequirePermission(Permissions.DevicesRead);

        api.MapPost("/releases/{id}/promote-override", async (string id, Rampart.Server.Api.ReasonRequest body, HttpContext context, ReleaseService releases,
            ReleaseGateService gate, ApprovalService approvals, CancellationToken cancellationToken) =>
        {
            var release = await releases.GetAsync(id, cancellationToken);
            if (release.Status != ReleaseStatus.Staged)
            {
                throw new FleetException(FleetErrorKind.Conflict, $"release {Echo.Of(id)} is {release.Status.ToString().ToLowerInvariant()} already");
            }

            if (body.Reason.Length is 0 or > GateOverride.MaxReasonLength)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"an override needs a reason of 1 to {GateOverride.MaxReasonLength} characters");
            }

            var (refusals, _) = await gate.EvaluateAsync(release, cancellationToken);
            var approval = await approvals.RequestAsync("releases.promote-override", GateOverride.Payload(release.Id, body.Reason),
                $"promote {release.Id} against the release gate ({refusals.Count} reason{(refusals.Count == 1 ? string.Empty : "s")}): {body.Reason}",
                OperatorClaims.Identity(context.User), cancellationToken);
            return TypedResults.Accepted($"/api/v1/approvals/{approval.Id}", ApprovalEndpoints.From(approval));
        }).RequirePermission(Permissions.ReleasesApprove);
        return api;
    }
}

/// <summary>The gate's verdict: passed or the reasons, whether it is enforced, and the findings it judged.</summary>
public sealed record GateResponse(string Release, bool Passed, bool Enforced, IReadOnlyList<string> Refusals, IReadOnlyList<FindingView> Findings);
