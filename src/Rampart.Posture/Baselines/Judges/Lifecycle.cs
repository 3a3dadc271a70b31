using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Evidence: the support period (the inventory's date, else the model's declared one) is known and not over.</summary>
public sealed class Lifecycle : IJudge
{
    public static Lifecycle Instance { get; } = new();

    public string Describes => "a support-until date is known (inventory, else the model) and not past";

    public Judgement Judge(PostureSubject subject)
    {
        var source = subject.Device?.SupportUntil is not null ? EvidenceSource.Rampart : EvidenceSource.Declaration;
        return subject.SupportUntil switch
        {
            null => Judgement.NotAssessable("no support-until date is known for the device or its model"),
            var until when until.Value < subject.Today => Judgement.Fail(source, $"support ended on {until:yyyy-MM-dd}"),
            var until => Judgement.Pass(source, $"supported until {until:yyyy-MM-dd}"),
        };
    }
}
