namespace Rampart.Posture.Baselines;

/// <summary>The outcome of one requirement for one subject. Not assessable is never a pass.</summary>
public enum Verdict
{
    Pass,
    Fail,
    NotAssessable,
}

/// <summary>Where the verdict's evidence comes from.</summary>
public enum EvidenceSource
{
    /// <summary>Something Rampart holds or observed itself (its CA, its update channel, a posture report, the inventory).</summary>
    Rampart,

    /// <summary>The model's declared capability profile (procurement evidence).</summary>
    Declaration,

    /// <summary>Nothing: the requirement could not be judged.</summary>
    None,
}

/// <summary>A verdict with its evidence in words.</summary>
public sealed record Judgement(Verdict Verdict, EvidenceSource Source, string Evidence)
{
    public static Judgement Pass(EvidenceSource source, string evidence) => new(Verdict.Pass, source, evidence);

    public static Judgement Fail(EvidenceSource source, string evidence) => new(Verdict.Fail, source, evidence);

    public static Judgement NotAssessable(string why) => new(Verdict.NotAssessable, EvidenceSource.None, why);
}
