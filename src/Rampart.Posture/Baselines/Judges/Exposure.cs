using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Evidence from the supply chain: no known critical or high vulnerability in the device's firmware (not assessable without a source).</summary>
public sealed class KnownVulnerabilities : IJudge
{
    public static KnownVulnerabilities Instance { get; } = new();

    public string Describes => "no known critical or high vulnerability in the firmware (supply-chain data)";

    public Judgement Judge(PostureSubject subject) => subject.Exposure switch
    {
        { Assessable: false } exposure => Judgement.NotAssessable(exposure.Source),
        var exposure when exposure.Critical > 0 || exposure.High > 0 => Judgement.Fail(EvidenceSource.Rampart, $"{exposure.Critical} critical and {exposure.High} high vulnerabilities ({exposure.Source})"),
        var exposure => Judgement.Pass(EvidenceSource.Rampart, $"no critical or high vulnerability ({exposure.Source})"),
    };
}
