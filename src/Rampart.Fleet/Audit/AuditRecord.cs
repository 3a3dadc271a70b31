namespace Rampart.Fleet.Audit;

/// <summary>
/// What happened, as the caller states it. The audit log gives it a place in the chain,
/// a time and a hash; see <see cref="AuditEntry"/>.
/// </summary>
/// <param name="Actor">Who acted: <c>local-admin</c>, <c>node</c>, an operator or device id.</param>
/// <param name="Action">Dotted verb such as <c>setup-token.issued</c>.</param>
/// <param name="Target">What was acted on; empty when nothing in particular.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Details">Extra facts. Never secrets: ids, fingerprints and reasons only.</param>
public sealed record AuditRecord(
    string Actor,
    string Action,
    string Target,
    AuditOutcome Outcome,
    IReadOnlyDictionary<string, string>? Details = null);
