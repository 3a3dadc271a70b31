namespace Rampart.Posture.Risk;

/// <summary>The fleet's posture at one time: taken with every audit run, for trends.</summary>
/// <param name="Compliance">Per standard, the share (0–1) of assessed device requirements that pass.</param>
/// <param name="RiskBands">Devices per risk band: low (0–24), medium (25–49), high (50–74), critical (75–100).</param>
public sealed record PostureSnapshot(DateTimeOffset At, int Devices, double MeanRisk, IReadOnlyDictionary<string, int> RiskBands, IReadOnlyDictionary<string, double> Compliance, int Findings);
