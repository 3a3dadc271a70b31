using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Declaration: a vulnerability disclosure contact is published (ETSI EN 303 645 5.2-1).</summary>
public sealed class Disclosure : IJudge
{
    public static Disclosure Instance { get; } = new();

    public string Describes => "the model names a vulnerability disclosure contact";

    public Judgement Judge(PostureSubject subject) => subject.Model is not { } model ? Judgement.NotAssessable("no model declaration")
        : model.Capabilities.VulnerabilityDisclosure is { Length: > 0 } contact
            ? Judgement.Pass(EvidenceSource.Declaration, $"vulnerabilities are reported to {contact}")
            : Judgement.Fail(EvidenceSource.Declaration, "the model names no vulnerability disclosure contact");
}
