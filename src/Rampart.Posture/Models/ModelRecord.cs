using Rampart.Posture.Baselines;

namespace Rampart.Posture.Models;

/// <summary>A registered model with the procurement gate's verdict on its declaration.</summary>
public sealed record ModelRecord(DeviceModel Model, Admission Admission, string AddedBy, DateTimeOffset Added);

/// <summary>The procurement gate's verdict: admitted, or refused with the requirements the declaration fails.</summary>
/// <param name="NotAssessable">What the declaration cannot show (listed, never counted as a pass).</param>
public sealed record Admission(bool Admitted, IReadOnlyList<RequirementResult> Failed, IReadOnlyList<RequirementResult> NotAssessable)
{
    /// <summary>The failed requirements as <c>standard requirement</c>, for refusals.</summary>
    public string FailedSummary => string.Join(", ", Failed.Select(f => $"{f.Standard} {f.Id}"));
}
