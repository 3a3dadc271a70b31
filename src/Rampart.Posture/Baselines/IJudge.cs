using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines;

/// <summary>One way of judging a subject: small, composable (<see cref="Judges.Judge"/>), side-effect free.</summary>
public interface IJudge
{
    /// <summary>What it checks, in words (docs/posture.md lists these).</summary>
    string Describes { get; }

    Judgement Judge(PostureSubject subject);
}
