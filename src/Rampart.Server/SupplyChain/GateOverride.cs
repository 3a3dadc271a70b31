using System.Text.Json;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Updates;

namespace Rampart.Server.SupplyChain;

/// <summary>
/// Promotion against the gate's refusal: a four-eyes operation of its own (requester and approver both
/// need <c>releases:approve</c>), carried out with both names, the reason and every gate reason in the
/// audit entry that commits with the promotion.
/// </summary>
public sealed class GateOverride(IReleaseStore store, ReleaseGateService gate, IAuditLog audit) : IApprovableOperation
{
    /// <summary>Longest reason kept.</summary>
    public const int MaxReasonLength = 512;

    /// <inheritdoc />
    public string Name => "releases.promote-override";

    /// <inheritdoc />
    public string Permission => Permissions.ReleasesApprove;

    /// <summary>The payload an override request carries.</summary>
    public static string Payload(string release, string reason) => JsonSerializer.Serialize(new OverridePayload(release, reason));

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string payload, string requestedBy, string approvedBy, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<OverridePayload>(payload) ?? throw new FleetException(FleetErrorKind.Invalid, "not an override request");
        var release = await store.GetAsync(request.Release, cancellationToken) ?? throw new FleetException(FleetErrorKind.NotFound, $"no release {Echo.Of(request.Release)}");
        var (refusals, _) = await gate.EvaluateAsync(release, cancellationToken);
        var by = $"{requestedBy}+{approvedBy}";
        var record = new AuditRecord(by, "release.promoted", $"release:{release.Id}", AuditOutcome.Success, new Dictionary<string, string>
        {
            ["requested-by"] = requestedBy,
            ["approved-by"] = approvedBy,
            ["gate"] = "overridden",
            ["reason"] = request.Reason,
            ["gate-refusals"] = refusals.Count == 0 ? "-" : string.Join("; ", refusals) is var all && all.Length > 2048 ? all[..2048] : string.Join("; ", refusals),
        });
        var promoted = await audit.CommitAsync(async (transaction, token) =>
            await store.TryPromoteAsync(transaction, release.Id, by, token) ? AuditedOutcome<bool>.Done(true, record) : AuditedOutcome<bool>.Nothing(false), cancellationToken);
        return promoted.Value
            ? $"release {release.Id} is in production (gate overridden by {requestedBy} and {approvedBy}: {refusals.Count} reason{(refusals.Count == 1 ? string.Empty : "s")})"
            : throw new FleetException(FleetErrorKind.Conflict, $"release {release.Id} is {release.Status.ToString().ToLowerInvariant()}, not staged");
    }

    private sealed record OverridePayload(string Release, string Reason);
}
