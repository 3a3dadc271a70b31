using Rampart.Fleet.Updates;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;

namespace Rampart.Server.Updates;

/// <summary>
/// Promoting a staged release to production: always four-eyes (threat model: "no single person can
/// release firmware to production"). Requester and approver both need <c>releases:approve</c>.
/// </summary>
public sealed class ReleasePromotion(IReleaseStore store, IAuditLog audit, IEnumerable<IReleasePromotionGate> gates) : IApprovableOperation
{
    /// <inheritdoc />
    public string Name => "releases.promote";

    /// <inheritdoc />
    public string Permission => Permissions.ReleasesApprove;

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string payload, string requestedBy, string approvedBy, CancellationToken cancellationToken)
    {
        var release = await store.GetAsync(payload, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no release {Echo.Of(payload)}");
        await CheckGatesAsync(release, cancellationToken);
        var by = $"{requestedBy}+{approvedBy}";
        var record = new AuditRecord(by, "release.promoted", $"release:{release.Id}", AuditOutcome.Success,
            new Dictionary<string, string> { ["requested-by"] = requestedBy, ["approved-by"] = approvedBy, ["svn"] = release.SecurityVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // The state change and its entry commit together: production never without its record.
        var promoted = await audit.CommitAsync(async (transaction, token) =>
            await store.TryPromoteAsync(transaction, release.Id, by, token) ? AuditedOutcome<bool>.Done(true, record) : AuditedOutcome<bool>.Nothing(false),
            cancellationToken);
        if (!promoted.Value)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"release {release.Id} is {release.Status.ToString().ToLowerInvariant()}, not staged");
        }

        return $"release {release.Id} is in production";
    }

    /// <summary>Refuses (with every reason) a release a promotion gate does not let through: when it is requested and again when it is carried out.</summary>
    public async Task CheckGatesAsync(Rampart.Updates.Releases.Release release, CancellationToken cancellationToken)
    {
        var refusals = new List<string>();
        foreach (var gate in gates)
        {
            refusals.AddRange(await gate.RefusalsAsync(release, cancellationToken));
        }

        if (refusals.Count > 0)
        {
            throw new FleetException(FleetErrorKind.Conflict, $"the release gate refuses {release.Id}: {string.Join("; ", refusals)} (overriding needs a second person: POST /api/v1/releases/{release.Id}/promote-override)");
        }
    }
}
