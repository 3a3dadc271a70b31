using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.WebConsole.Updates;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Operators;
using Rampart.Server.Updates;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.WebConsole;

/// <summary>Releases and rollouts, and the four-eyes inbox.</summary>
internal static class UpdatePages
{
    /// <summary>Rollouts shown with their progress; failed devices listed per rollout.</summary>
    public const int Rollouts = 20;
    public const int FailedShown = 20;

    public static void MapUpdatePages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/releases", async (HttpContext context, ReleaseService releases, RolloutService rollouts, ApprovalService approvals,
            ReleasePromotion promotion, CancellationToken cancellationToken) =>
        {
            var viewer = ConsolePages.Viewer(context);
            var progress = new List<RolloutProgress>();
            foreach (var rollout in (await rollouts.ListAsync(cancellationToken)).Take(Rollouts))
            {
                var status = await rollouts.StatusAsync(rollout.Id, cancellationToken);
                var failed = await rollouts.DevicesAsync(rollout.Id, RolloutDeviceState.Failed, null, FailedShown, cancellationToken);
                progress.Add(new RolloutProgress(status.Rollout, Names(status.Counts), status.Waves.Select(Names).ToArray(), failed));
            }

            // Pending promotions are read only by those who may see approvals (the API's approvals:read).
            var pending = viewer.Can(Permissions.ApprovalsRead)
                ? (await approvals.ListAsync(ApprovalStatus.Pending, cancellationToken)).Where(a => a.Operation == promotion.Name).ToArray()
                : [];
            return ConsolePages.Render<ReleasesPage>(new { Viewer = viewer, View = new ReleasesView(await releases.ListAsync(cancellationToken), progress, pending) });
        }).OperatorPage(Permissions.DevicesRead);

        endpoints.MapGet("/approvals", async (HttpContext context, ApprovalService approvals, CancellationToken cancellationToken) =>
            ConsolePages.Render<ApprovalsPage>(new { Viewer = ConsolePages.Viewer(context), Approvals = await approvals.ListAsync(null, cancellationToken) }))
            .OperatorPage(Permissions.ApprovalsRead);
    }

    private static IReadOnlyDictionary<string, int> Names(RolloutCounts counts) =>
        Enum.GetValues<RolloutDeviceState>().Where(state => counts[state] > 0).ToDictionary(state => state.Name(), state => counts[state]);
}
