using Rampart.Posture.FleetAudit;
using Rampart.Posture.Risk;

namespace Rampart.WebConsole.Posture;

/// <summary>
/// The posture page, as the last fleet audit run stored it (issue 22: nothing evaluated per request): that run's
/// snapshot (compliance per standard, devices judged; null before the first run), a page of the riskiest devices with
/// the cursor of the next page, and — for those with <c>audit:read</c>, as in the API — the last run and the trend (null otherwise).
/// </summary>
public sealed record PostureView(PostureSnapshot? Snapshot, IReadOnlyList<StoredRisk> Risks, string? Next, bool Paged, IReadOnlyList<AuditRun>? Audits, PostureTrend? Trend)
{
    /// <summary>Riskiest devices listed per page.</summary>
    public const int RisksShown = 25;
}
