using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Evidence: the device names a model Rampart knows (ETSI EN 303 645 5.3-16: the model designation is recognisable).</summary>
public sealed class ModelDesignation : IJudge
{
    public static ModelDesignation Instance { get; } = new();

    public string Describes => "the device's vendor and model name a registered device model";

    public Judgement Judge(PostureSubject subject) => (subject.Device, subject.Model) switch
    {
        (_, { } model) => Judgement.Pass(subject.Device is null ? EvidenceSource.Declaration : EvidenceSource.Rampart, $"model {model.Key}"),
        ({ Model: null }, null) => Judgement.Fail(EvidenceSource.Rampart, "the device names no model"),
        ({ } device, null) => Judgement.NotAssessable($"model {device.Vendor}/{device.Model} is not registered (rampart model add)"),
        _ => Judgement.NotAssessable("nothing to judge"),
    };
}
