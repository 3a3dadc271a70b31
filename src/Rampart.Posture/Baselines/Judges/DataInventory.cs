using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Declaration: the data the model collects is documented, personal data marked (ETSI EN 303 645 5.8-3, 6-1).</summary>
public sealed class DataInventory : IJudge
{
    public static DataInventory Instance { get; } = new();

    public string Describes => "the model documents the data it collects and which of it is personal";

    public Judgement Judge(PostureSubject subject) => subject.Model?.Capabilities.DataCollected switch
    {
        null when subject.Model is null => Judgement.NotAssessable("no model declaration"),
        null => Judgement.Fail(EvidenceSource.Declaration, "the model does not document the data it collects"),
        var data => Judgement.Pass(EvidenceSource.Declaration, data.Count == 0 ? "the model declares it collects no data"
            : $"collects {string.Join(", ", data.Select(d => d.Personal ? d.Name + " (personal)" : d.Name))}"),
    };
}
