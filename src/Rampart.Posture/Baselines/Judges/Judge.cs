using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Combinators: a requirement is usually one judge, or two composed.</summary>
public static class Judge
{
    /// <summary>The first judge's verdict when it can judge; otherwise the next one's (evidence before declaration).</summary>
    public static IJudge Either(params IJudge[] judges) => new FirstAssessable(judges);

    /// <summary>Fails when any part fails; passes only when every part passes; otherwise not assessable, naming what is missing.</summary>
    public static IJudge All(params IJudge[] judges) => new Every(judges);

    /// <summary>Never judged by Rampart: says why, so the result is never a silent pass.</summary>
    public static IJudge Outside(string why) => new Unassessable(why);

    private sealed class FirstAssessable(IJudge[] judges) : IJudge
    {
        public string Describes => string.Join("; otherwise ", judges.Select(j => j.Describes));

        public Judgement Judge(PostureSubject subject)
        {
            var missing = new List<string>();
            foreach (var judge in judges)
            {
                var judgement = judge.Judge(subject);
                if (judgement.Verdict != Verdict.NotAssessable)
                {
                    return judgement;
                }

                missing.Add(judgement.Evidence);
            }

            return Judgement.NotAssessable(string.Join("; ", missing));
        }
    }

    private sealed class Every(IJudge[] judges) : IJudge
    {
        public string Describes => string.Join("; and ", judges.Select(j => j.Describes));

        public Judgement Judge(PostureSubject subject)
        {
            var judgements = judges.Select(j => j.Judge(subject)).ToArray();
            if (judgements.FirstOrDefault(j => j.Verdict == Verdict.Fail) is { } failed)
            {
                return failed;
            }

            if (judgements.All(j => j.Verdict == Verdict.Pass))
            {
                var source = judgements.Any(j => j.Source == EvidenceSource.Rampart) ? EvidenceSource.Rampart : EvidenceSource.Declaration;
                return Judgement.Pass(source, string.Join("; ", judgements.Select(j => j.Evidence)));
            }

            return Judgement.NotAssessable(string.Join("; ", judgements.Where(j => j.Verdict == Verdict.NotAssessable).Select(j => j.Evidence)));
        }
    }

    private sealed class Unassessable(string why) : IJudge
    {
        public string Describes => "not assessable: " + why;

        public Judgement Judge(PostureSubject subject) => Judgement.NotAssessable(why);
    }
}
