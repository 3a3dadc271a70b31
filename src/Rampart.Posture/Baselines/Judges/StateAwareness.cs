using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Evidence: the device reports its state (posture) and, for integrity alerts, a firmware measurement.</summary>
public sealed class StateAwareness(bool needsMeasurement) : IJudge
{
    public static StateAwareness Reports { get; } = new(false);

    public static StateAwareness Measured { get; } = new(true);

    public string Describes => needsMeasurement ? "the device reports a firmware measurement Rampart compares" : "the device reports its posture to Rampart";

    public Judgement Judge(PostureSubject subject) => subject.Posture switch
    {
        null => Judgement.NotAssessable("the device has not reported its posture"),
        { Measurement: null } when needsMeasurement => Judgement.Fail(EvidenceSource.Rampart, "its posture reports carry no firmware measurement"),
        var posture => Judgement.Pass(EvidenceSource.Rampart, needsMeasurement
            ? $"reports firmware measurement {posture.Measurement?[..Math.Min(16, posture.Measurement.Length)]}…, compared on every report"
            : $"reported its posture at {posture.Reported:yyyy-MM-dd HH:mm}Z"),
    };
}
