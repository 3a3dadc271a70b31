using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Evidence: the device reports its state (posture) and, for integrity alerts, a firmware measurement.</summary>
public sealed class StateAwareness(bool needsMeasurement) : IJudge
{
    public static StateAwareness Reports { get; } = new(false);

    public static StateAwareness Measured { get; } = new(true);

    public string Describes => needsMeasurement ? "the device reports a firmware measurement Rampart compares" : "the device reports its posture to Rampart";

    /// <summary>A posture report older than this means the device no longer reports its state.</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromDays(7);

    public Judgement Judge(PostureSubject subject) => subject.Posture switch
    {
        null => Judgement.NotAssessable("the device has not reported its posture"),
        var stale when subject.Now - stale.Reported > Stale => Judgement.Fail(EvidenceSource.Rampart, $"its last posture report is from {stale.Reported:yyyy-MM-dd}, more than {Stale.TotalDays} days ago"),
        { Measurement: null } when needsMeasurement => Judgement.Fail(EvidenceSource.Rampart, "its posture reports carry no firmware measurement"),
        var posture => Judgement.Pass(EvidenceSource.Rampart, needsMeasurement
            ? $"reports firmware measurement {posture.Measurement?[..Math.Min(16, posture.Measurement.Length)]}…, compared on every report"
            : $"reported its posture at {posture.Reported:yyyy-MM-dd HH:mm}Z"),
    };
}
