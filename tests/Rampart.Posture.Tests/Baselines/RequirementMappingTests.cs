using Rampart.Posture.Baselines;
using Rampart.Posture.Baselines.Standards;

namespace Rampart.Posture.Tests.Baselines;

/// <summary>
/// Every requirement of every standard, three ways (issue 18, "Tests"): a device that satisfies it passes,
/// one that does not fails, one with no evidence is not assessable — never a silent pass. The few
/// requirements Rampart cannot see at all are not assessable for all three.
/// </summary>
public sealed class RequirementMappingTests
{
    public static TheoryData<string, string> Requirements()
    {
        var data = new TheoryData<string, string>();
        foreach (var requirement in SecurityBaselines.Of(null))
        {
            data.Add(requirement.Standard, requirement.Id);
        }

        return data;
    }

    private static readonly HashSet<string> Outside = ["5.1-4", "5.1-5", "5.13-1", "I3"];

    private static Requirement Find(string standard, string id) => SecurityBaselines.Of(standard).Single(r => r.Id == id);

    [Theory]
    [MemberData(nameof(Requirements))]
    public void A_device_with_all_the_evidence_passes_and_one_without_it_fails(string standard, string id)
    {
        var judge = Find(standard, id).Judge;
        var good = judge.Judge(Subjects.Good());
        var bad = new[] { judge.Judge(Subjects.Bad()), judge.Judge(Subjects.Unmanaged()) };
        if (Outside.Contains(id))
        {
            Assert.Equal(Verdict.NotAssessable, good.Verdict);
            Assert.All(bad, b => Assert.Equal(Verdict.NotAssessable, b.Verdict));
            return;
        }

        Assert.True(good.Verdict == Verdict.Pass, $"{standard} {id} on the good device: {good.Verdict} ({good.Evidence})");
        Assert.True(bad.Any(b => b.Verdict == Verdict.Fail), $"{standard} {id} on the bad devices: {string.Join(" | ", bad.Select(b => $"{b.Verdict}: {b.Evidence}"))}");
        Assert.All(bad.Where(b => b.Verdict == Verdict.Fail), b => Assert.NotEqual(EvidenceSource.None, b.Source));
    }

    [Theory]
    [MemberData(nameof(Requirements))]
    public void A_device_with_no_evidence_is_not_assessable_never_a_pass(string standard, string id)
    {
        var judgement = Find(standard, id).Judge.Judge(Subjects.Unknown());

        Assert.True(judgement.Verdict == Verdict.NotAssessable, $"{standard} {id}: {judgement.Verdict} ({judgement.Evidence})");
        Assert.False(string.IsNullOrWhiteSpace(judgement.Evidence));
    }

    [Fact]
    public void The_standards_carry_their_numbering_nist_six_capabilities_and_owasp_ten()
    {
        Assert.Contains(EtsiEn303645.Requirements, r => r.Id == "5.1-1" && r.Title.Contains("default passwords", StringComparison.Ordinal));
        Assert.Equal(6, NistIr8259a.Requirements.Count);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"I{i}"), OwaspIotTop10.Requirements.Select(r => r.Id));
        Assert.Throws<ArgumentException>(() => SecurityBaselines.Of("iso-27001"));
    }

    [Fact]
    public void Evidence_rampart_holds_wins_over_the_declaration_when_both_exist()
    {
        // The model declares no update mechanism, but the device reports firmware from Rampart's TUF channel.
        var subject = Subjects.Bad() with { Firmware = new Rampart.Posture.Evidence.FirmwareFact("2.0", 4, Subjects.Now) };
        var result = SecurityBaselines.Evaluate(subject, [Find(EtsiEn303645.Id, "5.3-2")]).Single();

        Assert.Equal((Verdict.Pass, EvidenceSource.Rampart), (result.Verdict, result.Source));
        Assert.Contains("TUF", result.Evidence, StringComparison.Ordinal);
    }
}
