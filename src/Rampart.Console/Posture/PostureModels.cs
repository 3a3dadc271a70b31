using Rampart.Posture.Baselines;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Risk;

namespace Rampart.WebConsole.Posture;

/// <summary>
/// The posture page: the fleet's baselines now (compliance per standard, the riskiest devices), and — for
/// those with <c>audit:read</c>, as in the API — the last fleet audit runs and the trend (null otherwise).
/// </summary>
public sealed record PostureView(FleetBaseline Baseline, IReadOnlyList<AuditRun>? Audits, PostureTrend? Trend)
{
    /// <summary>Riskiest devices listed.</summary>
    public const int RisksShown = 25;
}
