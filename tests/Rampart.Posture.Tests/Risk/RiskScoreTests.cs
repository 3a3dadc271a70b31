using Rampart.Posture.Baselines;
using Rampart.Posture.Risk;

namespace Rampart.Posture.Tests.Risk;

public sealed class RiskScoreTests
{
    [Fact]
    public void A_device_with_every_evidence_positive_scores_zero_and_one_with_every_factor_scores_the_documented_points()
    {
        var good = Subjects.Good();
        var bad = Subjects.Bad();

        var low = RiskScore.Of(good, SecurityBaselines.Evaluate(good, SecurityBaselines.Of(null)));
        var high = RiskScore.Of(bad, SecurityBaselines.Evaluate(bad, SecurityBaselines.Of(null)));

        Assert.Equal((0, "low"), (low.Score, low.Band));
        Assert.Equal(25, high.Factors["vulnerabilities"]);
        Assert.Equal(25, high.Factors["baseline-failures"]);
        Assert.Equal(20, high.Factors["open-alerts"]);
        Assert.Equal(10, high.Factors["zone-exposure"]);
        Assert.Equal(15, high.Factors["support"]);
        Assert.Equal((95, "critical"), (high.Score, high.Band));
    }

    [Fact]
    public void Confinement_halves_the_zone_exposure_and_an_old_certificate_adds_its_points()
    {
        var subject = Subjects.Bad() with { Confined = true, OpenAlerts = 0, Exposure = Rampart.Posture.Evidence.ExposureAnswer.NoSource };
        var aged = subject with { Certificates = [Subjects.Certificate("bad", ageDays: 800, validDays: 900)] };

        var score = RiskScore.Of(aged, []);

        Assert.Equal(5, score.Factors["zone-exposure"]);
        Assert.Equal(10, score.Factors["certificate-age"]);
        Assert.Equal(0, score.Factors["vulnerabilities"]);
        Assert.Equal(5 + 10 + 15, score.Score);
    }
}
