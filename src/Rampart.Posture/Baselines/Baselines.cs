using Rampart.Posture.Baselines.Standards;
using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines;

/// <summary>The standards Rampart evaluates, by the names <c>--standard</c> takes.</summary>
public static class SecurityBaselines
{
    public static IReadOnlyDictionary<string, IReadOnlyList<Requirement>> Standards { get; } = new Dictionary<string, IReadOnlyList<Requirement>>(StringComparer.Ordinal)
    {
        [EtsiEn303645.Id] = EtsiEn303645.Requirements,
        [NistIr8259a.Id] = NistIr8259a.Requirements,
        [OwaspIotTop10.Id] = OwaspIotTop10.Requirements,
    };

    /// <summary>The requirements of <paramref name="standard"/>, or of every standard when null; throws for an unknown name.</summary>
    public static IReadOnlyList<Requirement> Of(string? standard) =>
        standard is null ? Standards.Values.SelectMany(r => r).ToArray()
        : Standards.TryGetValue(standard, out var requirements) ? requirements
        : throw new ArgumentException($"unknown standard '{standard}': use {string.Join(", ", Standards.Keys)}");

    /// <summary>Judges every requirement for one subject.</summary>
    public static IReadOnlyList<RequirementResult> Evaluate(PostureSubject subject, IReadOnlyList<Requirement> requirements)
    {
        var results = new RequirementResult[requirements.Count];
        for (var i = 0; i < requirements.Count; i++)
        {
            var requirement = requirements[i];
            var judgement = requirement.Judge.Judge(subject);
            results[i] = new RequirementResult(requirement.Standard, requirement.Id, requirement.Title, judgement.Verdict, judgement.Source, judgement.Evidence);
        }

        return results;
    }
}
