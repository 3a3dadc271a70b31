namespace Rampart.Posture.Baselines;

/// <summary>One requirement of a standard (a provision, a capability, a Top 10 entry) and how Rampart judges it.</summary>
/// <param name="Id">As the standard numbers it: <c>5.1-1</c>, <c>device-identification</c>, <c>I1</c>.</param>
public sealed record Requirement(string Standard, string Id, string Title, IJudge Judge);

/// <summary>One requirement's result for one subject.</summary>
public sealed record RequirementResult(string Standard, string Id, string Title, Verdict Verdict, EvidenceSource Source, string Evidence);
