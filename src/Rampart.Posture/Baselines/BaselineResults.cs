using Rampart.Posture.Risk;

namespace Rampart.Posture.Baselines;

/// <summary>A device's baseline: every requirement's result with its evidence, and its risk.</summary>
public sealed record DeviceBaseline(string DeviceId, string? Model, IReadOnlyList<RequirementResult> Results, RiskScore Risk)
{
    public int Passed => Results.Count(r => r.Verdict == Verdict.Pass);

    public int Failed => Results.Count(r => r.Verdict == Verdict.Fail);

    public int NotAssessable => Results.Count(r => r.Verdict == Verdict.NotAssessable);
}

/// <summary>How many devices pass, fail, or cannot be judged on one requirement.</summary>
public sealed record RequirementTally(string Standard, string Id, string Title, int Pass, int Fail, int NotAssessable)
{
    /// <summary>The share of judged devices that pass (null when none could be judged).</summary>
    public double? Compliance => Pass + Fail == 0 ? null : (double)Pass / (Pass + Fail);
}

/// <summary>A model's baseline: its declaration judged alone (the procurement view), and its devices' tally.</summary>
public sealed record ModelBaseline(string Model, bool Admitted, IReadOnlyList<RequirementResult> Declaration, int Devices, IReadOnlyList<RequirementTally> DeviceResults);

/// <summary>The whole fleet's baseline: tallies, compliance per standard and per model, every device's risk.</summary>
/// <param name="Compliance">Per standard: passes over judged results (not-assessable results count in neither).</param>
public sealed record FleetBaseline(
    DateTimeOffset At,
    int Devices,
    IReadOnlyList<RequirementTally> Requirements,
    IReadOnlyDictionary<string, double> Compliance,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> ComplianceByModel,
    IReadOnlyList<RiskScore> Risks);
